"""Console page of the sign-in locks in force: who is locked out, from where, and until when."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response

from functions.admin.auth import PageIdentity
from functions.admin.rendering import render
from functions.edge_app import DatabaseDep
from shared.repositories.sign_in_attempts import (
    LOCK_WINDOW,
    MAX_FAILURES_PER_ACCOUNT,
    MAX_FAILURES_PER_ADDRESS,
    MAX_FAILURES_PER_PAIR,
    active_locks,
)

router = APIRouter()


@router.get("/admin/sign-in-locks")
async def sign_in_locks_page(request: Request, identity: PageIdentity, db: DatabaseDep) -> Response:
    now = datetime.now(UTC)
    return render(
        request,
        "sign_in_locks.html",
        identity=identity,
        locks=await active_locks(db, now=now),
        now=now,
        window_minutes=int(LOCK_WINDOW.total_seconds() // 60),
        limits=(MAX_FAILURES_PER_PAIR, MAX_FAILURES_PER_ADDRESS, MAX_FAILURES_PER_ACCOUNT),
    )
