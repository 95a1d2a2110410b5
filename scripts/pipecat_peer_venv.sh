#!/usr/bin/env bash
# Builds .venv-pipecat: the stock Pipecat peer for `make bench` (pipecat-ai from PyPI, its own venv so
# its pins never touch the project's). The peer uses the same model files as the worker (.models/).
# Idempotent: a stamp records the requirement line it was built from.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv-pipecat
REQS=(
  "pipecat-ai[websocket,silero,whisper,kokoro]==1.14.0"
  "xllamacpp>=2026.10"
  "uvicorn>=0.32"
  "python-multipart>=0.0.9"
)
STAMP="$VENV/.built"
WANT="${REQS[*]}"
if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$WANT" ]]; then
  exit 0
fi
UV=.venv/bin/uv
if [[ ! -x "$UV" ]]; then
  echo "pipecat peer: $UV missing; run 'make install' first" >&2
  exit 1
fi
test -x "$VENV/bin/python" || "$UV" venv -q --python "$(command -v python3.11 || command -v python3)" "$VENV"
"$UV" pip install --python "$VENV/bin/python" -q "${REQS[@]}"
echo "$WANT" > "$STAMP"
