"""`buddyhelps models list|prepare` as an operator runs them."""

from __future__ import annotations

import argparse
import functools
import hashlib
from pathlib import Path

import pytest

from buddyhelps import model_commands
from gpu_worker.models.model_files import FileParts, ModelFile, prepare_models


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="buddyhelps")
    model_commands.register(parser.add_subparsers())
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result


def test_list_on_an_empty_folder_says_what_is_missing(tmp_path: Path, capsys):
    # GIVEN no model files
    # WHEN the operator lists them
    code = run(["models", "list", "--models-dir", str(tmp_path)])
    out = capsys.readouterr().out
    # THEN each file shows as missing, with what to run, and the exit status says so
    assert code == 1
    assert "missing  qwen2.5-0.5b-instruct-q4_k_m.gguf" in out
    assert "run `make models`" in out


def test_prepare_shows_progress_and_succeeds(tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch):
    # GIVEN a plan of one small joined file
    part = tmp_path / "part.bin"
    part.write_bytes(b"x" * 2048)
    plan = [
        ModelFile(
            relative="tiny/model.bin",
            sha256=hashlib.sha256(part.read_bytes()).hexdigest(),
            source=FileParts(paths=(part,)),
        )
    ]
    monkeypatch.setattr(model_commands, "prepare_models", functools.partial(prepare_models, plan=plan))
    # WHEN the operator prepares the models
    code = run(["models", "prepare", "--models-dir", str(tmp_path / "models")])
    out = capsys.readouterr().out
    # THEN it reports each step and success
    assert code == 0
    assert "[1/1] tiny/model.bin: ok" in out
    assert "done: 1 file(s) built" in out


def test_prepare_failure_is_reported_not_raised(tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch):
    # GIVEN a part whose checksum is wrong
    part = tmp_path / "part.bin"
    part.write_bytes(b"y" * 10)
    plan = [ModelFile(relative="bad.bin", sha256="f" * 64, source=FileParts(paths=(part,)))]
    monkeypatch.setattr(model_commands, "prepare_models", functools.partial(prepare_models, plan=plan))
    # WHEN the operator prepares the models
    code = run(["models", "prepare", "--models-dir", str(tmp_path / "models")])
    # THEN the command fails with the reason on screen
    assert code == 1
    assert "models prepare failed: bad.bin: sha256" in capsys.readouterr().out
