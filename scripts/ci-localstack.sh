#!/usr/bin/env bash
# CI leg on LocalStack 4.14.0 as a local process (no Docker), proposed for .ci/run after the
# MiniStack leg (`npm test`):
#   1. the Lambda executor plugin's own tests (pytest, ~10 s)
#   2. `npm run up` with CDC_EMULATOR=localstack (installs LocalStack, DynamoDB Local and
#      kinesis-local from PyPI / Maven / npm on first use), until "CDC ready"; it refuses a system
#      already running with another emulator (or on other ports), and the leg then checks over
#      HTTP that LocalStack is what answers on AWS_ENDPOINT_URL: the leg fails on anything else
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

# `up` stops what it started when it fails, and refuses (starting nothing) when another system
# runs here: only once it succeeded is there something of this leg's to stop.
npm run --silent up
trap 'npm run --silent down || true' EXIT
elapsed "CDC ready"

# LocalStack answers /_localstack/info with its version; MiniStack answers that path 404 and has
# its own /_ministack/health.
node - "$AWS_ENDPOINT_URL" <<'JS'
const [url] = process.argv.slice(2);
const get = (path) =>
  fetch(new URL(path, url), { signal: AbortSignal.timeout(5000) }).then(
    async (response) => ({ ok: response.ok, body: await response.text() }),
    (error) => ({ ok: false, body: String(error) }),
  );
(async () => {
  const [ministack, info] = await Promise.all([get('/_ministack/health'), get('/_localstack/info')]);
  const version = info.ok ? JSON.parse(info.body).version : undefined;
  if (ministack.ok || !String(version ?? '').startsWith('4.14.0')) {
    console.error(
      `✖ the LocalStack leg needs LocalStack 4.14.0 on ${url}, but ${ministack.ok ? 'MiniStack answers there (/_ministack/health)' : `/_localstack/info answers ${info.body.slice(0, 200)}`}`,
    );
    process.exit(1);
  }
  console.log(`[localstack leg] LocalStack ${version} answers on ${url}`);
})();
JS

# The aws CLI comes with localstack-core[runtime]; the script finds it on the PATH.
PATH="$venv/bin:$PATH" bash scripts/test-cdc.sh > /dev/null
elapsed "scripts/test-cdc.sh passed"

# Verbose: the log names every test, so one that runs only on LocalStack is seen to run here. The
# ordering attacks (the function's code against OpenSearch, ~4 minutes) run once, on the MiniStack
# leg: what they attack is the same on either emulator, and CI stays within its time.
npm run --silent test:integration -- --verbose --testPathIgnorePatterns 'ordering-(e2e-)?attacks'
elapsed "integration suite passed"
