"""CLI: `buddyhelps admin create-user EMAIL` and `buddyhelps admin create-token EMAIL --name NAME`.

The first operator account can only be made here (the console has no sign-up). The password comes
from a prompt (typed twice, not echoed) or, for scripts, from the first line of stdin.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from typing import Any

from shared.database import open_database
from shared.repositories.operators import (
    MIN_PASSWORD_LENGTH,
    InvalidOperator,
    create_api_token,
    create_operator,
    get_operator_by_email,
)
from shared.settings import Settings, load_settings
from shared.structured_logging import configure_logging


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    admin = subparsers.add_parser("admin", help="operator console accounts and API tokens")
    actions = admin.add_subparsers(dest="admin_command", metavar="ACTION")
    user = actions.add_parser("create-user", help="create an operator account")
    user.add_argument("email")
    user.add_argument("--password-stdin", action="store_true", help="read the password from stdin's first line")
    user.set_defaults(func=_create_user)
    token = actions.add_parser("create-token", help="create an API token for an operator (printed once)")
    token.add_argument("email")
    token.add_argument("--name", required=True, help="what uses the token, e.g. 'nightly export'")
    token.set_defaults(func=_create_token)
    admin.set_defaults(func=lambda _args: _usage(admin))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _settings() -> Settings:
    settings = load_settings()
    configure_logging(settings.log_level)
    return settings


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(f"Password (at least {MIN_PASSWORD_LENGTH} characters): ")
    if getpass.getpass("Repeat the password: ") != first:
        raise InvalidOperator("the two passwords differ")
    return first


async def _make_user(settings: Settings, email: str, password: str) -> str:
    db = await open_database(settings.database_url, auth_token=settings.turso_auth_token)
    try:
        operator = await create_operator(db, email=email, password=password)
    finally:
        await db.close()
    return operator.email


def _create_user(args: argparse.Namespace) -> int:
    settings = _settings()
    try:
        password = _read_password(args.password_stdin)
        email = asyncio.run(_make_user(settings, args.email, password))
    except InvalidOperator as error:
        print(f"admin create-user failed: {error}")
        return 1
    print(f"operator {email} created; sign in at {settings.public_url('/admin/login')}")
    return 0


async def _make_token(settings: Settings, email: str, name: str) -> str:
    db = await open_database(settings.database_url, auth_token=settings.turso_auth_token)
    try:
        operator = await get_operator_by_email(db, email)
        if operator is None:
            raise InvalidOperator(f"no operator with the email {email.strip().lower()}")
        _, secret = await create_api_token(db, operator_id=operator.id, name=name)
    finally:
        await db.close()
    return secret


def _create_token(args: argparse.Namespace) -> int:
    settings = _settings()
    try:
        secret = asyncio.run(_make_token(settings, args.email, args.name))
    except InvalidOperator as error:
        print(f"admin create-token failed: {error}")
        return 1
    print(secret)
    print("(shown once: store it in your script's secret store)", file=sys.stderr)
    return 0
