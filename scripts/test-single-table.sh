#!/usr/bin/env bash
# The single-table example's end-to-end check (examples/single-table.json, deployed with
# `npm start -- --config examples/single-table.json` or `npm run deploy:local -- --config ...`):
# writes a user, an order and its line, moves the user into staff, deletes the line, and shows
# what each index holds. Finds awslocal or aws, and OpenSearch, as scripts/test-cdc.sh does.
set -euo pipefail

# shellcheck source=engine-clients.sh
source "$(dirname "$0")/engine-clients.sh" test-single-table
TABLE=${TABLE_NAME:-single-table}
WAIT_SECONDS=${WAIT_SECONDS:-30}
RUN=${RUN:-$(date +%s)}

doc_id() { # doc_id <pk> <sk>: the mirror's _id of a pk/sk item, URL-encoded
  python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1] + "|" + sys.argv[2], safe=""))' "$1" "$2"
}

found() { # found <index> <pk> <sk>: exit 0 when the document is there
  curl -fs -o /dev/null "$OPENSEARCH_URL/$1/_doc/$(doc_id "$2" "$3")"
}

wait_until() { # wait_until <present|absent> <index> <pk> <sk>
  for _ in $(seq 1 "$WAIT_SECONDS"); do
    if found "$2" "$3" "$4"; then [ "$1" = present ] && { echo "  ✅ $3|$4 is in $2"; return 0; }
    else [ "$1" = absent ] && { echo "  ✅ $3|$4 is not in $2"; return 0; }; fi
    sleep 1
  done
  echo "  ❌ $3|$4 is still $([ "$1" = present ] && echo missing from || echo in) $OPENSEARCH_URL/$2 after ${WAIT_SECONDS}s" >&2
  return 1
}

USER_PK="USER#$RUN"; ORDER_PK="ORDER#$RUN"

echo "1. a user, an order with two lines, one line item, and a settings item of no entity"
aws_ dynamodb put-item --table-name "$TABLE" --item "{\"pk\":{\"S\":\"$USER_PK\"},\"sk\":{\"S\":\"PROFILE\"},\"name\":{\"S\":\"Ann\"},\"role\":{\"S\":\"customer\"},\"ssn\":{\"S\":\"123-45-6789\"},\"passwordHash\":{\"S\":\"x\"},\"createdAt\":{\"S\":\"2024-01-31T12:00:00+09:00\"}}"
aws_ dynamodb put-item --table-name "$TABLE" --item "{\"pk\":{\"S\":\"$ORDER_PK\"},\"sk\":{\"S\":\"$ORDER_PK\"},\"status\":{\"S\":\"paid\"},\"placedAt\":{\"N\":\"1706700000\"},\"lines\":{\"L\":[{\"M\":{\"price\":{\"N\":\"10.25\"},\"quantity\":{\"N\":\"2\"}}},{\"M\":{\"price\":{\"N\":\"1.5\"},\"quantity\":{\"N\":\"1\"}}}]}}"
aws_ dynamodb put-item --table-name "$TABLE" --item "{\"pk\":{\"S\":\"$ORDER_PK\"},\"sk\":{\"S\":\"ITEM#1\"},\"sku\":{\"S\":\"SKU-1\"},\"quantity\":{\"N\":\"2\"},\"price\":{\"N\":\"10.25\"},\"warehouse\":{\"S\":\"W1\"}}"
aws_ dynamodb put-item --table-name "$TABLE" --item "{\"pk\":{\"S\":\"CONFIG#$RUN\"},\"sk\":{\"S\":\"SETTINGS\"},\"theme\":{\"S\":\"dark\"}}"
wait_until present users "$USER_PK" PROFILE
wait_until present orders "$ORDER_PK" "$ORDER_PK"
wait_until present order-items "$ORDER_PK" ITEM#1

echo "2. the user becomes staff: they enter staff (and stay in users)"
aws_ dynamodb update-item --table-name "$TABLE" --key "{\"pk\":{\"S\":\"$USER_PK\"},\"sk\":{\"S\":\"PROFILE\"}}" \
  --update-expression "SET #role = :role" --expression-attribute-names '{"#role":"role"}' --expression-attribute-values '{":role":{"S":"staff"}}'
wait_until present staff "$USER_PK" PROFILE

echo "3. the line item is deleted"
aws_ dynamodb delete-item --table-name "$TABLE" --key "{\"pk\":{\"S\":\"$ORDER_PK\"},\"sk\":{\"S\":\"ITEM#1\"}}"
wait_until absent order-items "$ORDER_PK" ITEM#1

echo "4. what the indexes hold:"
for index in users staff orders; do
  id=$([ "$index" = orders ] && doc_id "$ORDER_PK" "$ORDER_PK" || doc_id "$USER_PK" PROFILE)
  echo "--- $index"; document=$(curl -fs "$OPENSEARCH_URL/$index/_doc/$id"); echo "$document" | python3 -m json.tool
  if echo "$document" | grep -q '123-45-6789'; then echo "  ❌ the excluded ssn reached $index" >&2; exit 1; fi
done
echo "✅ routing works: users, staff, orders and order-items each hold their own entities; ssn is nowhere"
