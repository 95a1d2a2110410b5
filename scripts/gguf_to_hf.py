"""Turn the bundled GGUF into a Hugging Face folder vLLM can load (run inside .venv-vllm, once).

Dequantizes to bfloat16 safetensors (~1.2 GB, ~45 s on 2 cores) with transformers' GGUF reader.
Usage: python scripts/gguf_to_hf.py --gguf .models/X.gguf --out .models/qwen2.5-0.5b-hf
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import time
from pathlib import Path

logger = logging.getLogger("gguf_to_hf")


def convert(gguf: Path, out: Path) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, GgufConfig

    partial = out.with_name(out.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(
        str(gguf.parent),
        gguf_file=gguf.name,
        dtype=torch.bfloat16,
        quantization_config=GgufConfig(dequantize=True),  # save_pretrained refuses a quantized model
    )
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.save_pretrained(str(partial))
    tokenizer.save_pretrained(str(partial))
    partial.replace(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gguf", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if (args.out / "config.json").is_file():
        print(f"{args.out} already converted")
        return 0
    if not args.gguf.is_file():
        print(f"{args.gguf} is missing: run `make models`")
        return 1
    started = time.monotonic()
    print(f"converting {args.gguf} to {args.out} (bfloat16)", flush=True)
    convert(args.gguf, args.out)
    print(f"converted in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
