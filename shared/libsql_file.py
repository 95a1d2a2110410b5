"""The embedded default's libSQL file, used through libsql-client's own file backend, made patient.

libsql-client 0.3.1 opens a new sqlite3 connection for every statement with `timeout=0` and runs it
on the event loop: when the functions and the worker write the same file, the loser gets
SQLITE_BUSY at once (two calls starting together failed this way), and each statement blocks the
loop. This keeps its statement handling and results, but connections wait up to BUSY_TIMEOUT_S for
a lock, like any other SQLite user, and run in a worker thread.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from typing import Any

from libsql_client import ResultSet
from libsql_client.sqlite3_utils import Sqlite3Client, _execute_stmt

BUSY_TIMEOUT_S = 10.0


class PatientSqlite3Client(Sqlite3Client):  # type: ignore[misc]  # libsql-client ships no type stubs
    def _connect(self) -> sqlite3.Connection:
        connection: sqlite3.Connection = super()._connect()
        connection.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        return connection

    async def execute(self, stmt: Any, args: Any = None) -> ResultSet:
        return await asyncio.to_thread(self._execute_blocking, stmt, args)

    async def batch(self, stmts: list[Any]) -> list[ResultSet]:
        return await asyncio.to_thread(self._batch_blocking, stmts)

    def _execute_blocking(self, stmt: Any, args: Any) -> ResultSet:
        connection = self._connect()
        try:
            return _execute_stmt(connection, stmt, args)
        finally:
            connection.close()

    def _batch_blocking(self, stmts: list[Any]) -> list[ResultSet]:
        connection = self._connect()
        try:
            # IMMEDIATE takes the write lock up front (waiting for it), so a batch never fails half-way
            # on a read lock it cannot upgrade.
            _execute_stmt(connection, "BEGIN IMMEDIATE")
            try:
                results = [_execute_stmt(connection, stmt) for stmt in stmts]
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            _execute_stmt(connection, "COMMIT")
            return results
        finally:
            connection.close()


def enable_wal(path: str, *, attempts: int = 50) -> None:
    """Readers beside one writer (worker + functions on one laptop). Switching a fresh file to WAL
    needs a moment of exclusive access and SQLite answers BUSY without waiting when another
    connection is switching it too, so this retries briefly (a lock race at open, not a work poll)."""
    for attempt in range(attempts):
        connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S)
        try:
            if connection.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal":
                return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or attempt == attempts - 1:
                raise
        finally:
            connection.close()
        time.sleep(0.02 * (attempt + 1))
    raise sqlite3.OperationalError(f"could not switch {path} to WAL")


def open_file_client(path: str) -> PatientSqlite3Client:
    client = PatientSqlite3Client(path)
    probe = client._connect()  # fail now, with the path in the error, if the file can't be opened
    probe.close()
    return client
