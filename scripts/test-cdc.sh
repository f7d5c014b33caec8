#!/usr/bin/env bash
# The demo scenario's end-to-end check: put, update and delete user-001, then show what reached OpenSearch.
# Inside the LocalStack container (docker exec -it localstack bash -c "cd /var/lib/localstack/scripts && ./test-cdc.sh")
# or on the host with the local engines (npm start): it finds awslocal or aws, and OpenSearch, by itself.
set -euo pipefail

# shellcheck source=engine-clients.sh
source "$(dirname "$0")/engine-clients.sh" test-cdc
TABLE=${TABLE_NAME:-test-table}
INDEX=${CHANGE_LOG_INDEX:-dynamodb-cdc}
WAIT_SECONDS=${WAIT_SECONDS:-30}

count() { # count <event_name>: change-log documents of user-001 with that event name
  curl -fs "$OPENSEARCH_URL/$INDEX/_count" -H 'Content-Type: application/json' \
    -d "{\"query\":{\"bool\":{\"filter\":[{\"term\":{\"event_name\":\"$1\"}},{\"term\":{\"keys.id.S\":\"user-001\"}}]}}}" |
    sed -E 's/.*"count":([0-9]+).*/\1/'
}

wait_for() { # wait_for <event_name> <expected count>
  for _ in $(seq 1 "$WAIT_SECONDS"); do
    [ "$(count "$1" 2>/dev/null || echo 0)" -ge "$2" ] && { echo "  ✅ $1 reached OpenSearch"; return 0; }
    sleep 1
  done
  echo "  ❌ $1 did not reach $OPENSEARCH_URL/$INDEX within ${WAIT_SECONDS}s" >&2
  return 1
}

before_insert=$(count INSERT || echo 0); before_modify=$(count MODIFY || echo 0); before_remove=$(count REMOVE || echo 0)

echo "1. INSERT user-001"
aws_ dynamodb put-item --table-name "$TABLE" --item '{"id":{"S":"user-001"},"name":{"S":"テストユーザー"}}'
wait_for INSERT $((before_insert + 1))

echo "2. MODIFY user-001"
aws_ dynamodb update-item --table-name "$TABLE" --key '{"id":{"S":"user-001"}}' --update-expression "SET #name = :name" \
  --expression-attribute-names '{"#name":"name"}' --expression-attribute-values '{":name":{"S":"更新済みユーザー"}}'
wait_for MODIFY $((before_modify + 1))

echo "3. REMOVE user-001"
aws_ dynamodb delete-item --table-name "$TABLE" --key '{"id":{"S":"user-001"}}'
wait_for REMOVE $((before_remove + 1))

echo "4. Change log of user-001:"
curl -fs "$OPENSEARCH_URL/$INDEX/_search?pretty&q=keys.id.S:user-001&sort=sequence_number:desc&size=3"
echo "✅ CDC works: INSERT, MODIFY and REMOVE reached $OPENSEARCH_URL/$INDEX"
