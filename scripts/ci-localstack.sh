#!/usr/bin/env bash
# CI leg on LocalStack 4.14.0 as a local process (no Docker), proposed for .ci/run after the
# MiniStack leg (`npm test`):
#   1. the Lambda executor plugin's own tests (pytest, ~10 s)
#   2. `npm run up` with CDC_EMULATOR=localstack (installs LocalStack, DynamoDB Local and
#      kinesis-local from PyPI / Maven / npm on first use), until "CDC ready"
#   3. the demo scenario's scripts/test-cdc.sh, exactly as users run it
#   4. the integration suite against the running system
#   5. `npm run down`, always
# Expects `npm ci` done. Ports: AWS_ENDPOINT_URL / OPENSEARCH_URL (default 4566 / 9200); the
# MiniStack leg's engines must be stopped first (npm test stops what it started).
set -euo pipefail
cd "$(dirname "$0")/.."
export CDC_EMULATOR=localstack
export AWS_ENDPOINT_URL=${AWS_ENDPOINT_URL:-http://localhost:4566}
export OPENSEARCH_URL=${OPENSEARCH_URL:-http://localhost:9200}
local_dir=$(realpath -m "${CDC_LOCAL_DIR:-.local}")
venv="$local_dir/engines/localstack-4.14.0/venv"
leg_start=$(date +%s)
elapsed() { echo "[localstack leg] $1 after $(( $(date +%s) - leg_start )) s"; }

bash scripts/test-localstack-executor.sh
elapsed "executor plugin tests passed"

trap 'npm run --silent down || true' EXIT
npm run --silent up
elapsed "CDC ready"

# The aws CLI comes with localstack-core[runtime]; the script finds it on the PATH.
PATH="$venv/bin:$PATH" bash scripts/test-cdc.sh > /dev/null
elapsed "scripts/test-cdc.sh passed"

npm run --silent test:integration
elapsed "integration suite passed"
