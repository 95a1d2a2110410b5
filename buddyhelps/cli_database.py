"""Running a CLI command against the database: Settings from the environment, one connection, and
expected failures printed as one `error:` line with exit status 1 instead of a traceback."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable

from shared.database import Database, DatabaseError, open_database
from shared.settings import Settings, load_settings

Action = Callable[[Database, argparse.Namespace, Settings], Awaitable[int]]


def with_database(action: Action, *, expected: tuple[type[Exception], ...] = ()) -> Callable[[argparse.Namespace], int]:
    """`expected`: errors a user can cause and fix (ValueError and DatabaseError always are)."""
    caught: tuple[type[Exception], ...] = (ValueError, DatabaseError, *expected)

    def run(args: argparse.Namespace) -> int:
        settings = load_settings()

        async def main() -> int:
            db = await open_database(settings.database_url, auth_token=settings.turso_auth_token)
            try:
                return await action(db, args, settings)
            finally:
                await db.close()

        try:
            return asyncio.run(main())
        except caught as error:
            print(f"error: {error}", file=sys.stderr)
            return 1

    return run
