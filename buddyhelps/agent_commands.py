"""CLI: a business's agent definition as YAML (`agent export|import`) and the templates to start from."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from buddyhelps.cli_database import with_database
from shared.agents.templates import TemplateError, load_template, template_names
from shared.agents.yaml_io import DefinitionError, definition_from_yaml, definition_to_yaml
from shared.database import Database
from shared.repositories import agent_definitions
from shared.repositories.businesses import get_business
from shared.settings import Settings

_EXPECTED = (DefinitionError, TemplateError, LookupError, OSError)


async def _export(db: Database, args: argparse.Namespace, settings: Settings) -> int:
    await _require_business(db, args.business)
    if args.version is None:
        stored = await agent_definitions.current_definition(db, args.business)
    else:
        stored = await agent_definitions.get_version(db, args.business, args.version)
    if stored is None:
        raise LookupError(f"business {args.business!r} has no version {args.version} (see `buddyhelps agent versions`)")
    header = (
        f"# {args.business} agent definition, version {stored.version} ({stored.created_at} by {stored.created_by})\n"
    )
    sys.stdout.write(header + definition_to_yaml(stored.definition))
    return 0


async def _import(db: Database, args: argparse.Namespace, settings: Settings) -> int:
    await _require_business(db, args.business)
    text = await asyncio.to_thread(Path(args.file).read_text, encoding="utf-8")
    definition = definition_from_yaml(text)  # raises with every problem, before anything is written
    note = args.note or f"imported from {Path(args.file).name}"
    version = await agent_definitions.save_definition(db, args.business, definition, "cli", note)
    print(f"agent for {args.business} is now version {version} ({definition.name})")
    return 0


async def _versions(db: Database, args: argparse.Namespace, settings: Settings) -> int:
    await _require_business(db, args.business)
    await agent_definitions.current_definition(db, args.business)  # a business from before gets its first
    for summary in await agent_definitions.list_versions(db, args.business):
        active = "*" if summary.active else " "
        print(
            f"{active} v{summary.version}\t{summary.created_at}\t{summary.created_by}\t{summary.name}\t{summary.note}"
        )
    return 0


async def _activate(db: Database, args: argparse.Namespace, settings: Settings) -> int:
    await _require_business(db, args.business)
    await agent_definitions.activate_version(db, args.business, args.version, "cli")
    print(f"agent for {args.business} is now version {args.version}")
    return 0


def _templates(args: argparse.Namespace) -> int:
    try:
        for name in template_names():
            definition = load_template(name)
            fields = ", ".join(spec.name for spec in definition.fields)
            print(f"{name}\t{definition.direction}\t{definition.name}\t{fields}")
    except TemplateError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


async def _require_business(db: Database, business_id: str) -> None:
    if await get_business(db, business_id) is None:
        raise LookupError(f"no business with id {business_id!r} (see `buddyhelps business list`)")


def _add(sub: Any, name: str, help_text: str, func: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(name, help=help_text, description=help_text)
    parser.set_defaults(func=func)
    return parser


def register(subparsers: Any) -> None:
    agent = subparsers.add_parser("agent", help="a business's agent definition (YAML) and templates")
    sub = agent.add_subparsers(dest="sub", required=True)
    export = _add(
        sub, "export", "print a business's agent definition as YAML", with_database(_export, expected=_EXPECTED)
    )
    export.add_argument("--business", required=True, help="business id")
    export.add_argument("--version", type=int, help="a saved version (default: the active one)")
    imported = _add(
        sub,
        "import",
        "validate a YAML definition and save it as the business's next version (nothing is saved on an error)",
        with_database(_import, expected=_EXPECTED),
    )
    imported.add_argument("file", help="the YAML file")
    imported.add_argument("--business", required=True, help="business id")
    imported.add_argument("--note", default="", help="what changed (shown with the version)")
    versions = _add(
        sub, "versions", "list a business's saved versions (* active)", with_database(_versions, expected=_EXPECTED)
    )
    versions.add_argument("--business", required=True, help="business id")
    activate = _add(
        sub, "activate", "make a saved version the active one", with_database(_activate, expected=_EXPECTED)
    )
    activate.add_argument("version", type=int)
    activate.add_argument("--business", required=True, help="business id")
    _add(sub, "templates", "list the templates a business can start from", _templates)
