"""`buddyhelps notifications list|retry|resend` on a real libSQL file."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from buddyhelps.cli import main
from shared.database import connected, utc_now
from shared.repositories.calls import create_call
from shared.repositories.notifications import NewNotification, get_notification, insert_statement
from shared.settings import load_settings


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BUDDYHELPS_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


async def _queue_owner_sms(data_dir: Path) -> str:
    settings = load_settings(BUDDYHELPS_DATA_DIR=str(data_dir))
    async with connected(settings.database_url) as db:
        call = await create_call(
            db, call_sid="CA" + "4" * 32, from_number="+15555550123", to_number="+15550100000", business_id=None
        )
        message = NewNotification(purpose="owner_sms", channel="sms", recipient="+15550109999", body="[Soon] Leak")
        notification_id, statement = insert_statement(message, call_id=call.id, now=utc_now())
        await db.execute(*statement)
    return notification_id


async def _status(data_dir: Path, notification_id: str) -> str:
    settings = load_settings(BUDDYHELPS_DATA_DIR=str(data_dir))
    async with connected(settings.database_url) as db:
        found = await get_notification(db, notification_id)
    assert found is not None
    return found.status


async def test_retry_sends_what_is_due_and_list_shows_it(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # GIVEN a queued owner SMS (no provider keys: it will be recorded)
    notification_id = await _queue_owner_sms(data_dir)
    # WHEN `notifications retry` runs THEN it reports one recorded, and a second run finds nothing due
    assert await _in_thread(["notifications", "retry"]) == 0
    assert "recorded: 1" in capsys.readouterr().out
    assert await _in_thread(["notifications", "retry"]) == 0
    assert "nothing due" in capsys.readouterr().out
    assert await _status(data_dir, notification_id) == "recorded"
    # WHEN listed THEN the line shows purpose, status and attempts
    assert await _in_thread(["notifications", "list"]) == 0
    line = capsys.readouterr().out
    assert notification_id in line
    assert "owner_sms" in line
    assert "recorded" in line
    assert "attempts=1" in line


async def test_resend_of_unknown_id_fails_clearly(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # GIVEN an empty database WHEN re-sending a made-up id THEN exit 1 saying so
    await _queue_owner_sms(data_dir)
    assert await _in_thread(["notifications", "resend", "ntf_nope"]) == 1
    assert "no notification ntf_nope" in capsys.readouterr().out


async def _in_thread(argv: list[str]) -> int:
    """The CLI runs its own event loop: run it in a thread, as a shell would run it in a process."""
    return await asyncio.to_thread(main, argv)
