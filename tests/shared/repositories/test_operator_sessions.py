"""Operator sessions on every database backend (they must hold across Lambdas)."""

from __future__ import annotations

from datetime import timedelta

from shared.database import Database
from shared.repositories.operator_sessions import end_session, find_session, start_session
from shared.repositories.operators import create_operator


async def test_sessions_are_found_by_id_until_they_expire_or_end(any_db: Database):
    operator = await create_operator(any_db, email="s@example.com", password="long enough password")
    # GIVEN a live session and one that has already expired
    live = await start_session(any_db, operator_id=operator.id, lifetime=timedelta(hours=1))
    expired = await start_session(any_db, operator_id=operator.id, lifetime=timedelta(seconds=-1))
    # THEN only the live one opens, with its own CSRF token, and the id itself is not stored
    found = await find_session(any_db, live)
    assert found is not None
    assert found.operator.email == "s@example.com"
    assert len(found.csrf_token) > 30
    assert await find_session(any_db, expired) is None
    assert await any_db.fetch_one("SELECT 1 AS x FROM operator_sessions WHERE id_hash = ?", (live,)) is None
    # WHEN it ends, THEN it no longer opens
    await end_session(any_db, live)
    assert await find_session(any_db, live) is None
