"""The libSQL database: migrations, atomic batches and errors, on a file and on a real sqld server."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import libsql_client
import pytest

from shared.database import (
    WRITE_PERMITS,
    Database,
    DatabaseError,
    bundled_migrations,
    open_database,
    split_sql,
    utc_now,
)
from tests.libsql_server import SqldServer


async def test_a_fresh_database_records_every_bundled_migration(any_db: Database) -> None:
    # GIVEN a database that open_database just migrated (file, http:// or ws://)
    # WHEN we read schema_migrations
    rows = await any_db.fetch_all("SELECT version, name FROM schema_migrations ORDER BY version")
    # THEN each bundled migration is recorded once, in order, and its tables exist
    assert [(r["version"], r["name"]) for r in rows] == [(v, n) for v, n, _ in bundled_migrations()]
    tables = {r["name"] for r in await any_db.fetch_all("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"businesses", "phone_numbers", "prompts", "keyword_corrections", "calls", "workers"} <= tables


async def test_migrating_again_applies_nothing_and_keeps_data(any_db: Database) -> None:
    # GIVEN a migrated database holding a row
    await any_db.execute(
        "INSERT INTO businesses (id, name, owner_phone, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
        ("biz_1", "Acme Plumbing", "+15550100002", utc_now(), utc_now()),
    )
    # WHEN migrations run again
    applied = await any_db.migrate()
    # THEN nothing is applied, nothing is recorded twice, and the row is still there
    assert applied == []
    count = await any_db.fetch_one("SELECT COUNT(*) AS n FROM schema_migrations")
    assert count == {"n": len(bundled_migrations())}
    assert await any_db.fetch_one("SELECT name FROM businesses WHERE id = ?", ("biz_1",)) == {"name": "Acme Plumbing"}


async def test_reopening_a_file_database_keeps_its_rows(tmp_path: Path) -> None:
    # GIVEN a file database (in a folder that does not exist yet) with a business in it
    url = f"file:{tmp_path / 'nested' / 'folder' / 'buddyhelps.db'}"
    first = await open_database(url)
    await first.execute(
        "INSERT INTO businesses (id, name, owner_phone, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
        ("biz_1", "Acme", "+15550100002", utc_now(), utc_now()),
    )
    await first.close()
    # WHEN it is opened again
    second = await open_database(url)
    try:
        # THEN the business is still there and no migration ran again
        assert await second.migrate() == []
        assert await second.fetch_all("SELECT id FROM businesses") == [{"id": "biz_1"}]
        assert await second.fetch_one("PRAGMA journal_mode") == {"journal_mode": "wal"}
    finally:
        await second.close()


async def test_two_processes_opening_a_fresh_file_at_once_both_succeed(tmp_path: Path) -> None:
    # GIVEN a database file that does not exist yet
    url = f"file:{tmp_path / 'fresh.db'}"
    # WHEN two connections open (and migrate) it at the same time
    first, second = await asyncio.gather(open_database(url), open_database(url))
    try:
        # THEN both work and each migration is recorded exactly once
        for database in (first, second):
            rows = await database.fetch_all("SELECT version FROM schema_migrations ORDER BY version")
            assert [r["version"] for r in rows] == [v for v, _, _ in bundled_migrations()]
        await first.execute(
            "INSERT INTO workers (id, base_url, created_at) VALUES (?, ?, ?)", ("w1", "http://a", utc_now())
        )
        assert await second.fetch_all("SELECT id FROM workers") == [{"id": "w1"}]
    finally:
        await first.close()
        await second.close()


async def test_a_batch_with_a_failing_statement_changes_nothing(any_db: Database) -> None:
    # GIVEN a batch whose second statement violates a constraint (duplicate primary key)
    insert = "INSERT INTO workers (id, base_url, created_at) VALUES (?, ?, ?)"
    statements = [
        (insert, ("w1", "http://one", utc_now())),
        (insert, ("w1", "http://two", utc_now())),
    ]
    # WHEN it runs
    with pytest.raises(DatabaseError, match="batch of 2 statements failed"):
        await any_db.batch(statements)
    # THEN the first statement was rolled back too
    assert await any_db.fetch_all("SELECT id FROM workers") == []
    # AND a good batch reports the rows each statement changed
    assert await any_db.batch([(insert, ("w1", "http://one", utc_now())), ("DELETE FROM workers", ())]) == [1, 1]


async def test_a_failing_statement_names_the_statement_but_not_its_arguments(any_db: Database) -> None:
    # GIVEN a statement with a secret-looking argument that fails
    # WHEN it runs
    with pytest.raises(DatabaseError) as raised:
        await any_db.execute("INSERT INTO no_such_table (secret) VALUES (?)", ("hunter2-secret-value",))
    # THEN the error says which statement failed and never prints the argument
    assert "INSERT INTO no_such_table" in str(raised.value)
    assert "hunter2-secret-value" not in str(raised.value)


async def test_execute_counts_changed_rows_and_fetch_one_returns_none_for_no_row(any_db: Database) -> None:
    # GIVEN two workers
    for n in (1, 2):
        await any_db.execute(
            "INSERT INTO workers (id, base_url, created_at) VALUES (?, ?, ?)", (f"w{n}", f"http://w{n}", utc_now())
        )
    # WHEN both are updated THEN two rows changed; a query for a missing row gives None
    assert await any_db.execute("UPDATE workers SET capacity = 8") == 2
    assert await any_db.fetch_one("SELECT id FROM workers WHERE id = ?", ("nope",)) is None


def test_split_sql_keeps_a_trigger_body_whole_and_skips_comments() -> None:
    # GIVEN a script with a comment, a table and a trigger with inner semicolons
    script = (
        "-- a comment; with a semicolon\n"
        "CREATE TABLE a (x INTEGER);\n\n"
        "CREATE TRIGGER t AFTER INSERT ON a BEGIN\n  INSERT INTO a VALUES (1);\n  DELETE FROM a;\nEND;\n"
    )
    # WHEN it is split
    statements = split_sql(script)
    # THEN there are two statements and the trigger keeps its body
    assert len(statements) == 2
    assert statements[1].startswith("CREATE TRIGGER")
    assert statements[1].endswith("END;")


def test_split_sql_refuses_an_unterminated_statement() -> None:
    # GIVEN a script whose last statement lacks its semicolon WHEN split THEN it is refused with the text
    with pytest.raises(ValueError, match="incomplete SQL statement"):
        split_sql("CREATE TABLE a (x INTEGER);\nCREATE TABLE b (y INTEGER)")


WRITER = """
import asyncio, sys
from shared.database import open_database

async def main() -> None:
    db = await open_database(sys.argv[1], migrate=False)
    for n in range(60):
        await db.batch([("INSERT INTO hits (who, n) VALUES (?, ?)", (sys.argv[2], n))])
        await db.fetch_one("SELECT COUNT(*) AS c FROM hits")
    await db.close()

asyncio.run(main())
"""


async def test_writers_in_several_processes_on_one_file_never_see_database_locked(tmp_path: Path) -> None:
    # GIVEN one libSQL file, as the functions and the worker share it on a laptop
    url = f"file:{tmp_path / 'shared.db'}"
    db = await open_database(url, migrate=False)
    await db.execute("CREATE TABLE hits (who TEXT NOT NULL, n INTEGER NOT NULL)")
    await db.close()
    # WHEN three processes write and read it at the same time
    processes = [
        await asyncio.create_subprocess_exec(sys.executable, "-c", WRITER, url, f"p{i}", stderr=asyncio.subprocess.PIPE)
        for i in range(3)
    ]
    results = [await process.communicate() for process in processes]
    # THEN none was refused with "database is locked", and every write landed
    assert [process.returncode for process in processes] == [0, 0, 0], [err.decode()[-300:] for _, err in results]
    db = await open_database(url, migrate=False)
    try:
        row = await db.fetch_one("SELECT COUNT(*) AS c FROM hits")
    finally:
        await db.close()
    assert row is not None
    assert row["c"] == 3 * 60


class InFlight:
    """A real client that counts how many reads and writes it has in flight at once."""

    def __init__(self, inner: libsql_client.Client) -> None:
        self.inner = inner
        self.now = {"read": 0, "write": 0}
        self.most = {"read": 0, "write": 0}

    async def execute(self, sql: str, args: list[object]) -> libsql_client.ResultSet:
        kind = "read" if sql.startswith("SELECT") else "write"
        self.now[kind] += 1
        self.most[kind] = max(self.most[kind], self.now[kind])
        try:
            return await self.inner.execute(sql, args)
        finally:
            self.now[kind] -= 1

    async def close(self) -> None:
        await self.inner.close()


async def test_a_burst_of_writes_to_a_server_waits_its_turn_and_all_of_it_lands(libsql_server: SqldServer) -> None:
    # GIVEN a database on a real sqld server
    setup = await open_database(libsql_server.http_url, migrate=False)
    await setup.execute("DROP TABLE IF EXISTS burst")
    await setup.execute("CREATE TABLE burst (n INTEGER NOT NULL)")
    await setup.close()
    client = InFlight(libsql_client.create_client(libsql_server.http_url))
    db = Database(client=client, url=libsql_server.http_url)  # type: ignore[arg-type]
    try:
        # WHEN 40 writes and 40 reads are sent at once (sqld can wedge under such a burst)
        await asyncio.gather(
            *(db.execute("INSERT INTO burst (n) VALUES (?)", (n,)) for n in range(40)),
            *(db.fetch_one("SELECT COUNT(*) AS c FROM burst") for _ in range(40)),
        )
        row = await db.fetch_one("SELECT COUNT(*) AS c FROM burst")
    finally:
        await db.close()
    # THEN every write landed, no more than the permitted few were in flight at once, and reads were not held
    assert row is not None
    assert row["c"] == 40
    assert client.most["write"] == WRITE_PERMITS
    assert client.most["read"] == 40
