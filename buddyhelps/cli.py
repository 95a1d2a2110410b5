"""`buddyhelps`: the command line. Each command group lives in its own module with a `register`."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# Modules that add subcommands: each defines `register(subparsers) -> None` and sets `func` on its
# parsers (func(args) -> int). Add a line here when adding a command module.
COMMAND_MODULES = (
    "buddyhelps.data_commands",
    "buddyhelps.agent_commands",
    "buddyhelps.model_commands",
    "buddyhelps.call_commands",
    "buddyhelps.demo_command",
    "buddyhelps.bench",
    "buddyhelps.worker_commands",
    "buddyhelps.operator_commands",
    "buddyhelps.notification_commands",
    "buddyhelps.document_commands",
    "buddyhelps.outbound_commands",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="buddyhelps",
        description="BuddyHelps: an AI phone receptionist for trade businesses.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    result: int = func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
