"""The libSQL database: a file in the embedded default, Turso in production, one client for both.

Repositories (shared/repositories/) hold the SQL; this module only connects, runs statements and
applies the numbered migrations in shared/migrations/ (idempotent, recorded in schema_migrations).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
import libsql_client

from shared.libsql_file import enable_wal, open_file_client

log = logging.getLogger(__name__)

Row = dict[str, Any]
Statement = tuple[str, Sequence[Any]]


class DatabaseError(RuntimeError):
    """A statement failed; the message names the statement's first words, never its arguments."""


# What a statement can fail with: SQL errors, and (for a server URL) a connection that cannot be made or
# drops, which aiohttp raises as OSError or ClientError rather than as LibsqlError.
UNREACHABLE = (libsql_client.LibsqlError, OSError, aiohttp.ClientError)

# SQLite has one writer. sqld answers a write that finds the lock taken with SQLITE_BUSY, and with many
# such writes in flight at once it can stop answering altogether: 30 concurrent sign-ins left sqld 0.24
# spinning at full CPU with no request ever completing (1 run in ~25). So one client keeps at most this
# many writes in flight; the rest wait their turn here, where waiting costs nothing.
WRITE_PERMITS = 4


def utc_now() -> str:
    """The one timestamp format of the database: UTC ISO-8601 with milliseconds."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Database:
    """Async access to one libSQL database. Create with `open_database`; close when done."""

    def __init__(self, *, client: libsql_client.Client, url: str) -> None:
        self._client = client
        self.url = url
        self._writes = asyncio.Semaphore(WRITE_PERMITS)

    async def fetch_all(self, sql: str, args: Sequence[Any] = ()) -> list[Row]:
        result = await self._run(sql, args)
        return [row.asdict() for row in result.rows]

    async def fetch_one(self, sql: str, args: Sequence[Any] = ()) -> Row | None:
        rows = await self.fetch_all(sql, args)
        return rows[0] if rows else None

    async def execute(self, sql: str, args: Sequence[Any] = ()) -> int:
        """Run one write; returns the number of rows it changed."""
        result = await self._run(sql, args)
        return int(result.rows_affected)

    async def batch(self, statements: Sequence[Statement]) -> list[int]:
        """Run statements atomically (all or none); returns rows changed per statement."""
        prepared = [libsql_client.Statement(sql, list(args)) for sql, args in statements]
        try:
            async with self._writes:
                results = await _when_not_busy(lambda: self._client.batch(prepared))
        except UNREACHABLE as error:
            raise DatabaseError(f"batch of {len(statements)} statements failed: {error}") from error
        return [int(result.rows_affected) for result in results]

    async def close(self) -> None:
        await self._client.close()

    async def _run(self, sql: str, args: Sequence[Any]) -> libsql_client.ResultSet:
        try:
            async with contextlib.nullcontext() if _reads_only(sql) else self._writes:
                return await _when_not_busy(lambda: self._client.execute(sql, list(args)))
        except UNREACHABLE as error:
            head = " ".join(sql.split()[:4])
            raise DatabaseError(f"statement '{head} ...' failed: {error}") from error

    async def migrate(self) -> list[str]:
        """Apply every migration not yet recorded; returns the names applied now."""
        await self.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        done = {row["version"] for row in await self.fetch_all("SELECT version FROM schema_migrations")}
        applied: list[str] = []
        for version, name, sql in bundled_migrations():
            if version in done:
                continue
            statements: list[Statement] = [(s, ()) for s in split_sql(sql)]
            statements.append(
                (
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    (version, name, utc_now()),
                )
            )
            try:
                await self.batch(statements)
            except DatabaseError:
                # Another process may have applied it between our read and our write.
                again = await self.fetch_one("SELECT 1 AS x FROM schema_migrations WHERE version = ?", (version,))
                if again is None:
                    raise
                continue
            log.info("applied migration", extra={"migration": name})
            applied.append(name)
        return applied


def _reads_only(sql: str) -> bool:
    """A plain SELECT; anything else (INSERT … RETURNING, a WITH that may write) counts as a write."""
    return sql.lstrip()[:6].upper() == "SELECT"


def bundled_migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) for each `NNNN_name.sql` in shared/migrations, in order."""
    folder = resources.files("shared") / "migrations"
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql") and entry.name[:4].isdigit():
            found.append((int(entry.name[:4]), entry.name.removesuffix(".sql"), entry.read_text("utf-8")))
    return sorted(found)


def split_sql(script: str) -> list[str]:
    """Split a script into complete statements (triggers with inner semicolons stay whole)."""
    statements: list[str] = []
    pending = ""
    for line in script.splitlines(keepends=True):
        if not pending and (not line.strip() or line.lstrip().startswith("--")):
            continue
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    if pending.strip():
        raise ValueError(f"incomplete SQL statement at end of migration: {pending.strip()[:60]!r}")
    return statements


def _create_client(url: str, *, auth_token: str | None) -> libsql_client.Client:
    if not url.startswith("file:"):
        return libsql_client.create_client(url, auth_token=auth_token)
    path = Path(url.removeprefix("file:").split("?", 1)[0])
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return open_file_client(str(path))
    except sqlite3.Error as error:
        raise DatabaseError(f"cannot open the database file {path}: {error}") from error


async def open_database(url: str, *, auth_token: str | None = None, migrate: bool = True) -> Database:
    """Connect (file:, libsql://, https://, wss://) and, by default, bring the schema up to date."""
    client = _create_client(url, auth_token=auth_token)
    database = Database(client=client, url=url)
    try:
        if url.startswith("file:"):
            path = url.removeprefix("file:").split("?", 1)[0]
            try:
                await asyncio.to_thread(enable_wal, path)
            except sqlite3.Error as error:
                raise DatabaseError(f"cannot use the database file {path}: {error}") from error
        if migrate:
            await database.migrate()
    except BaseException:
        await client.close()  # no half-open connection left behind
        raise
    return database


@asynccontextmanager
async def connected(url: str, *, auth_token: str | None = None) -> AsyncIterator[Database]:
    database = await open_database(url, auth_token=auth_token)
    try:
        yield database
    finally:
        await database.close()


T = TypeVar("T")
BUSY_RETRIES = 6  # sqld answers SQLITE_BUSY at once when another write holds the lock (no busy timeout)


async def _when_not_busy(call: Callable[[], Awaitable[T]]) -> T:
    """`call()`, tried again with a short growing pause while the server says the database is locked: 30
    concurrent sign-ins on sqld gave one a 500 otherwise. Any other error, or the last try's, is raised."""
    for attempt in range(BUSY_RETRIES):
        try:
            return await call()
        except libsql_client.LibsqlError as error:
            if "SQLITE_BUSY" not in str(error) or attempt == BUSY_RETRIES - 1:
                raise
            await asyncio.sleep(0.01 * 2**attempt)  # 10, 20, 40, 80, 160 ms: the lock is held for a statement
    raise AssertionError("unreachable")
