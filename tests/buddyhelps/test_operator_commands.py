"""`buddyhelps admin create-user` and `create-token`: the first operator and script tokens, from the CLI."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from buddyhelps.cli import main
from shared.database import open_database
from shared.repositories.operators import check_password, operator_for_token
from tests.functions.admin.live_server import run_async


@pytest.fixture(autouse=True)
def restore_root_logging() -> Iterator[None]:
    """The CLI installs a JSON handler on the captured stderr; later tests must not write to it once closed."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BUDDYHELPS_DATA_DIR", str(tmp_path))
    return tmp_path


def _db_url(data_dir: Path) -> str:
    return f"file:{(data_dir / 'buddyhelps.db').as_posix()}"


def test_create_user_from_stdin_then_a_token(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    # GIVEN a password on stdin
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    # WHEN the first operator is created
    assert main(["admin", "create-user", "Ops@Example.com", "--password-stdin"]) == 0
    assert "operator ops@example.com created" in capsys.readouterr().out

    # THEN that password signs in
    async def signs_in() -> bool:
        db = await open_database(_db_url(data_dir))
        try:
            return await check_password(db, email="ops@example.com", password="a long enough password") is not None
        finally:
            await db.close()

    assert run_async(signs_in)
    # WHEN a token is created for the operator
    assert main(["admin", "create-token", "ops@example.com", "--name", "backup"]) == 0
    secret = capsys.readouterr().out.strip()

    # THEN the printed token authenticates as that operator
    async def token_owner() -> str | None:
        db = await open_database(_db_url(data_dir))
        try:
            operator = await operator_for_token(db, secret)
            return operator.email if operator else None
        finally:
            await db.close()

    assert run_async(token_owner) == "ops@example.com"


def test_short_password_duplicate_and_unknown_operator_fail_clearly(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["admin", "create-user", "a@example.com", "--password-stdin"]) == 1
    assert "at least 12 characters" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("long enough password 1\n"))
    assert main(["admin", "create-user", "a@example.com", "--password-stdin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("long enough password 2\n"))
    assert main(["admin", "create-user", "A@example.com", "--password-stdin"]) == 1
    assert "already exists" in capsys.readouterr().out
    assert main(["admin", "create-token", "nobody@example.com", "--name", "x"]) == 1
    assert "no operator with the email nobody@example.com" in capsys.readouterr().out
