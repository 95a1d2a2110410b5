#!/usr/bin/env bash
# System packages the test suite uses: Chromium for browser tests (Debian's, driven by Playwright).
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "system_deps: chromium missing and apt-get unavailable; browser tests will skip with the reason" >&2
  exit 0
fi
echo "system_deps: installing chromium (Debian) for the browser tests"
apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
