"""Sign in, sign out. Sign-in rotates the session id (no fixation), is CSRF-protected by a
double-submit cookie and is locked after repeated failures (shared/repositories/sign_in_attempts.py);
the sign-in page says which lock holds and until when."""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from functions.admin.auth import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    PageIdentity,
    safe_next,
    session_identity,
)
from functions.admin.rendering import render
from functions.edge_app import DatabaseDep, SettingsDep
from shared.repositories.operator_sessions import end_session, start_session
from shared.repositories.operators import check_password
from shared.repositories.sign_in_attempts import SignInLock, begin_attempt, succeed
from shared.settings import Settings

log = logging.getLogger(__name__)
router = APIRouter()


def _client_ip(request: Request) -> str:
    # Behind API Gateway, Mangum fills request.client from the gateway's sourceIp; headers are not trusted.
    return request.client.host if request.client else "unknown"


def _render_login(
    request: Request, settings: Settings, *, next_path: str, error: str = "", email: str = "", status_code: int = 200
) -> HTMLResponse:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
    response = render(
        request,
        "login.html",
        identity=None,
        status_code=status_code,
        csrf_token=token,
        next_path=next_path,
        error=error,
        email=email,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=3600,
        path="/admin",
        httponly=True,
        samesite="lax",
        secure=settings.is_production,
    )
    return response


def _lock_message(lock: SignInLock) -> str:
    who = {
        "account from this address": "for this account from your address",
        "this address": "from your address",
        "account": "for this account",
    }[lock.scope]
    minutes = lock.minutes_left(datetime.now(UTC))
    return (
        f"Too many failed sign-in attempts {who}. Sign-in is locked until {lock.until:%H:%M} UTC"
        f" ({minutes} minute{'s' if minutes != 1 else ''} from now); it does not get longer while you wait."
    )


@router.get("/admin/login")
async def login_form(request: Request, settings: SettingsDep, db: DatabaseDep, next: str = "") -> Response:
    if await session_identity(request, db) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _render_login(request, settings, next_path=safe_next(next))


@router.post("/admin/login")
async def login(
    request: Request,
    settings: SettingsDep,
    db: DatabaseDep,
    email: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    next_path = safe_next(next)
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not csrf_token or not secrets.compare_digest(expected.encode(), csrf_token.encode()):
        return _render_login(
            request,
            settings,
            next_path=next_path,
            email=email,
            error="The form expired or was not sent from this page. Please sign in again.",
            status_code=403,
        )
    client_ip = _client_ip(request)
    # Recorded before the password is checked, so guesses sent at once are all counted.
    attempt = await begin_attempt(db, email=email, client_ip=client_ip)
    if attempt.lock is not None:
        log.warning("sign-in refused: locked", extra={"client_ip": client_ip, "lock": attempt.lock.scope})
        refused = _render_login(
            request, settings, next_path=next_path, email=email, error=_lock_message(attempt.lock), status_code=429
        )
        refused.headers["Retry-After"] = str(attempt.lock.minutes_left(datetime.now(UTC)) * 60)
        return refused
    operator = await check_password(db, email=email, password=password)
    if operator is not None:
        await succeed(db, attempt.id)
    if operator is None:
        log.info("sign-in failed", extra={"client_ip": client_ip})
        return _render_login(
            request, settings, next_path=next_path, email=email, error="Wrong email or password.", status_code=401
        )
    old_session = request.cookies.get(SESSION_COOKIE)
    if old_session:
        await end_session(db, old_session)
    lifetime = timedelta(hours=settings.admin_session_hours)
    session_id = await start_session(db, operator_id=operator.id, lifetime=lifetime)
    log.info("operator signed in", extra={"operator_id": operator.id})
    response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        max_age=int(lifetime.total_seconds()),
        path="/admin",
        httponly=True,
        samesite="lax",
        secure=settings.is_production,
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/admin")
    return response


@router.post("/admin/logout")
async def logout(identity: PageIdentity, db: DatabaseDep, settings: SettingsDep) -> Response:
    if identity.session_id:
        await end_session(db, identity.session_id)
    response = RedirectResponse("/admin/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/admin", secure=settings.is_production, httponly=True)
    return response


@router.get("/admin")
async def home(identity: PageIdentity) -> Response:
    return RedirectResponse("/admin/calls", status_code=303)
