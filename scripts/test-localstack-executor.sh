#!/usr/bin/env bash
# Tests of the LocalStack Lambda executor plugin (local/localstack-executor), in LocalStack's own
# virtualenv (installed on first use: CDC_EMULATOR=localstack npm run engines:install -- --emulator-only).
# About 10 s; needs node on the PATH. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
export CDC_EMULATOR=localstack
npx ts-node --transpile-only bin/local.ts install --emulator-only
venv="$(realpath -m "${CDC_LOCAL_DIR:-.local}")/engines/localstack-4.14.0/venv"
# The sources first on the path: the tests run what is in the work tree.
PYTHONPATH="$PWD/local/localstack-executor" "$venv/bin/python" -m pytest -p no:cacheprovider -q local/localstack-executor/tests "$@"
