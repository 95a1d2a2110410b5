#!/usr/bin/env bash
# Runs pytest and refuses to pass when no test ran (pytest exit 5 must never look green).
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p artifacts
.venv/bin/python -m pytest "$@"
rc=$?
if [ "$rc" -eq 5 ]; then
  echo "run_tests: pytest collected no tests (exit 5) — failing on purpose" >&2
  exit 1
fi
exit "$rc"
