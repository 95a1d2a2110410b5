"""Small fixtures shared by every test folder: Settings on a temp data dir and real libSQL databases.

`db` is a migrated libSQL file. `any_db` is the same schema on each backend the project supports:
the file, and a real `sqld` server over Hrana-over-HTTP (`http://`) and over WebSocket (`ws://`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from shared.database import Database, open_database
from shared.settings import Settings, load_settings
from tests.libsql_server import SqldServer, SqldUnavailable, start_sqld


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(BUDDYHELPS_DATA_DIR=tmp_path / "data")


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Database]:
    database = await open_database(settings.database_url)
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture(scope="session")
def libsql_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqldServer]:
    try:
        server = start_sqld(tmp_path_factory.mktemp("sqld"))
    except SqldUnavailable as error:
        pytest.skip(f"libSQL server (sqld) unavailable: {error}")
    try:
        yield server
    finally:
        server.stop()


async def _drop_everything(database: Database) -> None:
    """Make the server's one database empty again (tests share the session's server)."""
    tables = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    # Virtual (FTS5) tables first: dropping one drops its shadow tables with it.
    for row in await database.fetch_all(tables + " AND sql LIKE 'CREATE VIRTUAL%'"):
        await database.execute(f'DROP TABLE "{row["name"]}"')
    for row in await database.fetch_all(tables + " ORDER BY rowid DESC"):
        await database.execute(f'DROP TABLE "{row["name"]}"')


@pytest.fixture(params=["file", "http", "ws"])
async def any_db(request: pytest.FixtureRequest, settings: Settings) -> AsyncIterator[Database]:
    if request.param == "file":
        url = settings.database_url
    else:
        server: SqldServer = request.getfixturevalue("libsql_server")
        url = server.http_url if request.param == "http" else server.ws_url
        fresh = await open_database(url, migrate=False)
        try:
            await _drop_everything(fresh)
        finally:
            await fresh.close()
    database = await open_database(url)
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture(autouse=True)
def _restore_root_logging() -> Iterator[None]:
    """Entry points install JSON logging on the root logger; keep one test's handlers out of the next."""
    import logging

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
