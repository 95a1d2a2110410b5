#!/usr/bin/env bash
# Run terraform in infra/terraform against the local filesystem mirror of the AWS provider.
#
#   scripts/terraform_offline.sh init -backend=false
#   scripts/terraform_offline.sh test
#   scripts/terraform_offline.sh --check      # exit 3 with the reason when terraform or the mirror is missing
#
# The environment's TF_CLI_CONFIG_FILE may name a file that does not exist, so this writes its own
# CLI config (build/terraform/offline.tfrc) pointing at the mirror and exports it. The mirror root is
# the parent of a `registry.terraform.io` folder: $TF_PROVIDER_MIRROR if set, else found on disk.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"

unavailable() {
  echo "terraform_offline: $*" >&2
  exit 3
}

command -v terraform >/dev/null 2>&1 || unavailable "no terraform binary on PATH"

mirror="${TF_PROVIDER_MIRROR:-}"
if [ -z "$mirror" ]; then
  found="$(find / -maxdepth 4 -type d -name registry.terraform.io -not -path '/proc/*' 2>/dev/null | head -n 1 || true)"
  [ -n "$found" ] && mirror="$(dirname "$found")"
fi
[ -n "$mirror" ] || unavailable "no provider mirror (no registry.terraform.io folder within 4 levels of /; set TF_PROVIDER_MIRROR)"
[ -d "$mirror/registry.terraform.io/hashicorp/aws" ] || unavailable "mirror $mirror has no hashicorp/aws provider"

mkdir -p "$ROOT/build/terraform"
config="$ROOT/build/terraform/offline.tfrc"
cat > "$config" <<TFRC
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/*/*"]
  }
  direct {
    exclude = ["registry.terraform.io/*/*"]
  }
}
TFRC
export TF_CLI_CONFIG_FILE="$config"
export TF_IN_AUTOMATION=1
export CHECKPOINT_DISABLE=1

if [ "${1:-}" = "--check" ]; then
  echo "terraform_offline: $(terraform version | head -n 1), mirror $mirror"
  exit 0
fi
exec terraform -chdir="${TF_DIR:-$ROOT/infra/terraform}" "$@"
