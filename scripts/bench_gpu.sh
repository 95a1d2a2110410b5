#!/usr/bin/env bash
# `make bench-gpu`: the benchmark on a GPU machine with the production backends (CUDA Whisper, vLLM,
# Kokoro on torch): 1 call at a time, then 8 and 32 at once; writes artifacts/bench-gpu.json and a copy
# in docs/benchmarks/. Assumes NO network: nothing is installed here. It needs, already on the machine:
#   - a Python 3.11 environment with this project's `gpu` and `models` extras (e.g. the worker image's
#     /opt/venv: `BUDDYHELPS_PYTHON=/opt/venv/bin/python make bench-gpu`), CUDA visible to torch and
#     CTranslate2;
#   - the weights: STT_MODEL (a faster-whisper CT2 folder), LLM_MODEL (a Hugging Face folder vLLM loads),
#     Kokoro-82M in the Hugging Face cache (HF_HOME), smart-turn under BUDDYHELPS_MODELS_DIR;
#   - the caller's lines: data/caller-voice-cache (carried from a CPU run, 200 KB) or piper + its voice.
# Defaults match gpu_worker/Dockerfile; override any of them in the environment. The preflight lists
# everything missing at once and stops before starting anything.
set -euo pipefail
cd "$(dirname "$0")/.."

PY="${BUDDYHELPS_PYTHON:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || command -v python3 )}"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
export STT_DEVICE="${STT_DEVICE:-cuda}"
export STT_MODEL="${STT_MODEL:-/models/faster-whisper-large-v3-turbo}"
export LLM_BACKEND="${LLM_BACKEND:-vllm}"
export LLM_MODEL="${LLM_MODEL:-/models/Qwen2.5-3B-Instruct}"
export TTS_BACKEND="${TTS_BACKEND:-kokoro-torch}"
export BUDDYHELPS_MODELS_DIR="${BUDDYHELPS_MODELS_DIR:-$( [ -d /models/bundled ] && echo /models/bundled || echo .models )}"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
LOAD="${BENCH_GPU_LOAD:-8,32}"

echo "bench-gpu: python $PY; STT $STT_DEVICE $STT_MODEL; LLM $LLM_BACKEND $LLM_MODEL; TTS $TTS_BACKEND"
"$PY" scripts/bench_gpu_preflight.py
mkdir -p artifacts docs/benchmarks
"$PY" -m buddyhelps.cli bench --device cuda --no-peer --load "$LOAD" --write-capacity --json \
  --output artifacts/bench-gpu.json > /dev/null
cp artifacts/bench-gpu.json docs/benchmarks/bench-gpu.json
"$PY" - <<'PY'
import json
report = json.load(open("artifacts/bench-gpu.json"))
for level, data in report["ours"]["load"].items():
    v2v = data["voice_to_voice_ms"]
    print(f"bench-gpu: {level} at once: voice-to-voice p50 {v2v['p50']} ms, p95 {v2v['p95']} ms, outcomes {data['outcomes']}")
print("bench-gpu: targets", json.dumps(report["targets"]))
PY
