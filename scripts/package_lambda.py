"""Build the Lambda deployment zip of the edge functions: `make package`.

    python scripts/package_lambda.py --output build/lambda.zip [--arch x86_64|arm64] [--bundle-boto3]

The `edge` dependency group of pyproject.toml is installed with `uv pip install --target` for the
Lambda platform (manylinux, Python 3.11, wheels only), then the project's `shared/` and `functions/`
packages are copied beside it and everything is zipped reproducibly (sorted entries, fixed dates).

- libsql-client is installed `--no-deps` plus the two dependencies it really uses (aiohttp,
  typing-extensions): its metadata also pulls a Sphinx docs theme and Sphinx itself (~80 MB).
- Bytecode is compiled into the zip (`--invalidation-mode unchecked-hash`, when this Python is the
  target version): /var/task is read-only, so without it every cold start compiles every module
  (measured here: import of functions.incoming_call 2.8-3.5 s without, 1.7-2.5 s with).
- boto3/botocore/s3transfer are left out by default: the python3.11 Lambda runtime ships them, and
  they are a third of the unzipped size. `--bundle-boto3` keeps them (pins the SDK version).

Prints the zipped and unzipped sizes; fails when the zip breaks Lambda's 250 MB unzipped limit.
"""

from __future__ import annotations

import argparse
import compileall
import os
import py_compile
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT_PACKAGES = ("shared", "functions")
PACKAGE_DATA_SUFFIXES = (".py", ".sql", ".html", ".css", ".js", ".json", ".yaml", ".svg")
NO_DEPS_REQUIREMENTS = {"libsql-client": ("aiohttp>=3.0,<4.0", "typing-extensions>=4.5,<5.0")}
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer")
PLATFORMS = {"x86_64": "x86_64-manylinux_2_17", "arm64": "aarch64-manylinux_2_17"}
UNZIPPED_LIMIT_BYTES = 250 * 1024 * 1024  # Lambda's hard limit for a function and its layers
DIRECT_UPLOAD_LIMIT_BYTES = 50 * 1024 * 1024  # above this the zip must go through S3 (Terraform does)
FIXED_DATE = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class PackageSize:
    files: int
    unzipped_bytes: int
    zipped_bytes: int


def requirement_name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9._-]+", requirement)
    if match is None:
        raise ValueError(f"cannot read a package name from {requirement!r}")
    return match.group(0).lower().replace("_", "-")


def edge_requirements(pyproject: Path) -> tuple[list[str], list[str]]:
    """(requirements installed with their dependencies, requirements installed --no-deps)."""
    project = tomllib.loads(pyproject.read_text("utf-8"))["project"]
    wanted = list(project["dependencies"]) + list(project["optional-dependencies"]["edge"])
    with_deps: list[str] = []
    no_deps: list[str] = []
    for requirement in wanted:
        name = requirement_name(requirement)
        if name in NO_DEPS_REQUIREMENTS:
            no_deps.append(requirement)
            with_deps.extend(NO_DEPS_REQUIREMENTS[name])
        else:
            with_deps.append(requirement)
    return with_deps, no_deps


def find_uv() -> str:
    beside_python = Path(sys.executable).parent / "uv"
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("uv")
    if found is None:
        raise SystemExit("package_lambda: uv not found (install it into the venv: pip install uv)")
    return found


def install_dependencies(target: Path, *, arch: str, python_version: str, bundle_boto3: bool) -> None:
    with_deps, no_deps = edge_requirements(ROOT / "pyproject.toml")
    base = [
        find_uv(), "pip", "install", "--quiet", "--target", str(target),
        "--python-platform", PLATFORMS[arch], "--python-version", python_version,
        "--only-binary", ":all:",
    ]  # fmt: skip
    subprocess.run([*base, *with_deps], check=True)  # noqa: S603 - our own pinned requirement list
    if no_deps:
        subprocess.run([*base, "--no-deps", *no_deps], check=True)  # noqa: S603 - as above
    if not bundle_boto3:
        remove_runtime_provided(target)


def remove_runtime_provided(target: Path) -> None:
    for entry in target.iterdir():
        name = entry.name.split("-", 1)[0].lower()
        if name in RUNTIME_PROVIDED:
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()


def copy_project(target: Path, *, source: Path = ROOT) -> None:
    for package in PROJECT_PACKAGES:
        for path in sorted((source / package).rglob("*")):
            if path.is_dir() or "__pycache__" in path.parts or not path.name.endswith(PACKAGE_DATA_SUFFIXES):
                continue
            destination = target / path.relative_to(source)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, destination)


def compile_bytecode(target: Path, python_version: str) -> bool:
    """Compile every module for the target Python; False (and nothing done) if this is another version."""
    if python_version != f"{sys.version_info.major}.{sys.version_info.minor}":
        return False
    return compileall.compile_dir(
        target, quiet=1, workers=0, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH
    )


def write_zip(source: Path, output: Path) -> PackageSize:
    """Zip `source` reproducibly: same tree, same bytes (bytecode included when compiled)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    files = 0
    unzipped = 0
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in sorted(source.rglob("*")):
            if path.is_dir():
                continue
            info = zipfile.ZipInfo(path.relative_to(source).as_posix(), date_time=FIXED_DATE)
            executable = os.access(path, os.X_OK)
            info.external_attr = (0o100755 if executable else 0o100644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            data = path.read_bytes()
            archive.writestr(info, data)
            files += 1
            unzipped += len(data)
    return PackageSize(files=files, unzipped_bytes=unzipped, zipped_bytes=output.stat().st_size)


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def build(
    output: Path, *, arch: str, python_version: str, bundle_boto3: bool, workdir: Path, compile_pyc: bool = True
) -> PackageSize:
    staging = workdir / f"lambda-{arch}"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    install_dependencies(staging, arch=arch, python_version=python_version, bundle_boto3=bundle_boto3)
    copy_project(staging)
    if compile_pyc and not compile_bytecode(staging, python_version):
        print(f"note: bytecode not compiled (this is Python {sys.version_info.major}.{sys.version_info.minor})")
    return write_zip(staging, output)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the edge functions' Lambda zip.")
    parser.add_argument("--output", type=Path, default=Path("build/lambda.zip"))
    parser.add_argument("--arch", choices=sorted(PLATFORMS), default="x86_64", help="Lambda architecture")
    parser.add_argument("--python-version", default="3.11")
    parser.add_argument("--bundle-boto3", action="store_true", help="ship boto3/botocore in the zip")
    parser.add_argument("--no-compile", action="store_true", help="leave bytecode out of the zip")
    parser.add_argument("--workdir", type=Path, default=Path("build"), help="where the tree is staged")
    args = parser.parse_args(argv)
    size = build(
        args.output,
        arch=args.arch,
        python_version=args.python_version,
        bundle_boto3=args.bundle_boto3,
        workdir=args.workdir,
        compile_pyc=not args.no_compile,
    )
    print(f"wrote {args.output} ({args.arch}, python {args.python_version}, {size.files} files)")
    print(f"zipped:   {megabytes(size.zipped_bytes)} ({size.zipped_bytes} bytes)")
    print(f"unzipped: {megabytes(size.unzipped_bytes)} ({size.unzipped_bytes} bytes)")
    if size.zipped_bytes > DIRECT_UPLOAD_LIMIT_BYTES:
        print("note: over 50 MB zipped, so it must be deployed through S3 (the Terraform module does)")
    if size.unzipped_bytes > UNZIPPED_LIMIT_BYTES:
        print("error: over Lambda's 250 MB unzipped limit", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
