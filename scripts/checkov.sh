#!/usr/bin/env bash
# Static security scan of the edge (infra/terraform and template.yaml) with checkov, offline.
#
#   scripts/checkov.sh            # creates .venv-checkov on first use, then scans both
#
# checkov pins an old boto3, so it lives in its own virtual environment, never in .venv.
# Terraform: skips are written next to the resource they concern (`# checkov:skip=ID: reason`).
# template.yaml: CloudFormation has no comment skips and rejects YAML aliases, so repeating a Metadata
# block on 15 resources would drown the template; the same decisions are listed here instead:
CFN_SKIPS=(
  CKV_AWS_116 # DLQ: the functions are invoked synchronously by API Gateway; a DLQ serves async invokes
  CKV_AWS_117 # VPC: they call Twilio, Resend and Turso on the internet and reach nothing private
  CKV_AWS_115 # reserved concurrency: new accounts have too little to reserve; set it per account
  CKV_AWS_173 # env encryption with a CMK: the environment holds no secret (Secrets Manager at cold start)
  CKV_AWS_158 # log groups use CloudWatch's own encryption; a CMK is an option in the Terraform module
  CKV_AWS_149 # the secret uses the AWS-managed key; a CMK is an option in the Terraform module
  CKV_AWS_18  # S3 access logs need a second bucket; CloudTrail data events are the suggested audit trail
)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="$ROOT/.venv-checkov"
CHECKOV_VERSION="${CHECKOV_VERSION:-3.2.*}"

if [ ! -x "$VENV/bin/checkov" ]; then
  python3 -m venv "$VENV"
  echo '*' > "$VENV/.gitignore"  # keeps git from seeing it (as venv does itself from Python 3.13)
  if [ -x "$ROOT/.venv/bin/uv" ]; then
    "$ROOT/.venv/bin/uv" pip install --python "$VENV/bin/python" -q "checkov==$CHECKOV_VERSION"
  else
    "$VENV/bin/pip" install -q "checkov==$CHECKOV_VERSION"
  fi
fi

export BC_SKIP_MAPPING=TRUE        # no download of the guideline mapping
export CHECKOV_RUN_SCA_PACKAGE_SCAN_V2=false
cd "$ROOT"
status=0
"$VENV/bin/checkov" --quiet --compact --skip-download -d infra/terraform --framework terraform || status=$?
skip_list="$(IFS=,; echo "${CFN_SKIPS[*]}")"
"$VENV/bin/checkov" --quiet --compact --skip-download -f template.yaml --framework cloudformation \
  --skip-check "$skip_list" || status=$?
exit "$status"
