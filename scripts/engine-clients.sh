# Sourced by the end-to-end check scripts (test-cdc.sh, test-single-table.sh): finds OpenSearch
# (the `opensearch` host inside the compose network, else localhost) and an AWS CLI (awslocal, or
# aws with test credentials against AWS_ENDPOINT_URL), exposed as `aws_`. $1 names the caller.
if [ -z "${OPENSEARCH_URL:-}" ]; then
  if getent hosts opensearch >/dev/null 2>&1; then OPENSEARCH_URL=http://opensearch:9200; else OPENSEARCH_URL=http://localhost:9200; fi
fi

if command -v awslocal >/dev/null 2>&1; then
  aws_() { awslocal "$@"; }
elif command -v aws >/dev/null 2>&1; then
  export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-test} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-test} AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-us-east-1}
  aws_() { aws --endpoint-url "${AWS_ENDPOINT_URL:-http://localhost:4566}" "$@"; }
else
  echo "$1: neither awslocal nor aws is installed; install one (pip install awscli-local awscli)" >&2
  exit 2
fi
