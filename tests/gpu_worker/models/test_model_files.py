"""Model file preparation: joined parts, checksums, idempotence, and the real prepared layout."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from gpu_worker.models.model_files import (
    MODEL_FILES,
    PREPARED_STAMP,
    ChecksumMismatch,
    FileParts,
    ModelFile,
    ModelFilesMissing,
    model_path,
    prepare_models,
)
from shared.settings import load_settings
from tests.gpu_worker.spoken_audio import ROOT


@pytest.fixture
def parts(tmp_path: Path) -> tuple[Path, Path]:
    first, second = tmp_path / "src" / "model.bin.part1", tmp_path / "src" / "model.bin.part2"
    first.parent.mkdir()
    first.write_bytes(b"weights-" * 1000)
    second.write_bytes(b"-tail" * 10)
    return first, second


def joined_plan(first: Path, second: Path, *, sha256: str | None = None) -> list[ModelFile]:
    expected = sha256 or hashlib.sha256(first.read_bytes() + second.read_bytes()).hexdigest()
    return [ModelFile(relative="whisper-base/model.bin", sha256=expected, source=FileParts(paths=(first, second)))]


def test_prepare_joins_parts_in_order_and_writes_the_stamp(tmp_path, parts):
    # GIVEN two part files
    models = tmp_path / "models"
    lines: list[str] = []
    # WHEN the models are prepared
    built = prepare_models(models, plan=joined_plan(*parts), progress=lines.append)
    # THEN the file is both parts joined in order, progress was shown, and the stamp is written
    assert (models / "whisper-base/model.bin").read_bytes() == parts[0].read_bytes() + parts[1].read_bytes()
    assert built == ["whisper-base/model.bin"]
    assert any("ok" in line for line in lines)
    assert (models / PREPARED_STAMP).is_file()


def test_second_prepare_keeps_verified_files(tmp_path, parts):
    # GIVEN a prepared folder
    models = tmp_path / "models"
    plan = joined_plan(*parts)
    prepare_models(models, plan=plan, progress=lambda _: None)
    before = (models / "whisper-base/model.bin").stat().st_mtime_ns
    lines: list[str] = []
    # WHEN prepare runs again
    built = prepare_models(models, plan=plan, progress=lines.append)
    # THEN nothing is rebuilt and it says the file checked out
    assert built == []
    assert (models / "whisper-base/model.bin").stat().st_mtime_ns == before
    assert any("present, checksum ok" in line for line in lines)


def test_a_corrupted_file_is_rebuilt(tmp_path, parts):
    # GIVEN a prepared file that was damaged afterwards
    models = tmp_path / "models"
    plan = joined_plan(*parts)
    prepare_models(models, plan=plan, progress=lambda _: None)
    (models / "whisper-base/model.bin").write_bytes(b"truncated")
    # WHEN prepare runs again
    built = prepare_models(models, plan=plan, progress=lambda _: None)
    # THEN it is rebuilt from its parts
    assert built == ["whisper-base/model.bin"]
    assert (models / "whisper-base/model.bin").read_bytes() == parts[0].read_bytes() + parts[1].read_bytes()


def test_a_checksum_mismatch_is_a_clear_error_and_leaves_nothing_behind(tmp_path, parts):
    # GIVEN parts whose join does not match the recorded sum
    models = tmp_path / "models"
    plan = joined_plan(*parts, sha256="0" * 64)
    # WHEN the models are prepared
    # THEN it fails naming the file and both sums, with no half-written file and no stamp
    with pytest.raises(
        ChecksumMismatch, match=r"whisper-base/model.bin: sha256 [0-9a-f]{64} differs from the expected 0{64}"
    ):
        prepare_models(models, plan=plan, progress=lambda _: None)
    assert not (models / "whisper-base/model.bin").exists()
    assert list((models / "whisper-base").iterdir()) == []
    assert not (models / PREPARED_STAMP).exists()


def test_missing_models_say_to_run_make_models(tmp_path):
    # GIVEN an empty models folder
    settings = load_settings(BUDDYHELPS_MODELS_DIR=tmp_path)
    # WHEN the worker asks for a model
    # THEN the error names it and says what to run
    with pytest.raises(ModelFilesMissing, match=r"'whisper-base'.*run `make models`"):
        model_path(settings, "whisper-base")


def test_a_folder_with_a_missing_file_counts_as_missing(tmp_path):
    # GIVEN a Whisper folder with only its config
    (tmp_path / "whisper-tiny.en").mkdir()
    (tmp_path / "whisper-tiny.en/config.json").write_text("{}")
    # WHEN it is asked for
    # THEN the missing weights are named
    with pytest.raises(ModelFilesMissing, match=r"whisper-tiny\.en/model\.bin"):
        model_path(load_settings(BUDDYHELPS_MODELS_DIR=tmp_path), "whisper-tiny.en")


@pytest.mark.slow
def test_the_prepared_layout_is_complete_and_verified():
    # GIVEN the repository's .models folder after `make models`
    models = ROOT / ".models"
    # WHEN prepare runs over it again
    built = prepare_models(models, progress=lambda _: None)
    # THEN every file is already there with the right checksum
    assert built == []
    assert all((models / f.relative).is_file() for f in MODEL_FILES)
    assert (models / PREPARED_STAMP).is_file()


@pytest.mark.slow
def test_the_voices_file_holds_the_english_voices_kokoro_needs():
    # GIVEN the prepared voices file
    voices = np.load(ROOT / ".models/kokoro/voices.npz")
    # THEN each voice is a float32 style table of shape (510, 1, 256)
    assert {"af_heart", "af_bella", "am_michael"} <= set(voices.files)
    assert voices["af_heart"].shape == (510, 1, 256)
    assert voices["af_heart"].dtype == np.float32
