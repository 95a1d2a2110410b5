"""Who is asking: an operator's console session (cookie + CSRF) or an API token (Bearer).

Pages without a session redirect to the sign-in page; the API answers 401 JSON. Every POST made with
a session cookie must carry the session's CSRF token (form field `csrf_token` or header X-CSRF-Token).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import Depends, HTTPException, Request

from functions.edge_app import DatabaseDep
from shared.database import Database
from shared.repositories.operator_sessions import find_session
from shared.repositories.operators import Operator, operator_for_token

SESSION_COOKIE = "bh_admin_session"
LOGIN_CSRF_COOKIE = "bh_admin_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
HOME = "/admin/calls"


@dataclass(frozen=True)
class AdminIdentity:
    operator: Operator
    csrf_token: str | None  # None for API-token callers, who carry no cookie and so need no CSRF check
    session_id: str | None


def safe_next(value: str | None) -> str:
    """A local /admin path to return to after sign-in; anything else (other hosts, schemes) → HOME."""
    if not value or "\\" in value or any(ord(ch) < 32 for ch in value):
        return HOME
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not parts.path.startswith("/admin") or value.startswith("//"):
        return HOME
    if parts.path.startswith("/admin/login"):
        return HOME
    return value


def login_redirect_url(request: Request) -> str:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/admin/login?next=" + quote(here, safe="")


async def session_identity(request: Request, db: Database) -> AdminIdentity | None:
    session_id = request.cookies.get(SESSION_COOKIE)
    if not session_id:
        return None
    session = await find_session(db, session_id)
    if session is None:
        return None
    return AdminIdentity(operator=session.operator, csrf_token=session.csrf_token, session_id=session_id)


async def _token_identity(request: Request, db: Database) -> AdminIdentity | None:
    header = request.headers.get("authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    operator = await operator_for_token(db, secret.strip())
    return AdminIdentity(operator=operator, csrf_token=None, session_id=None) if operator else None


async def _submitted_csrf(request: Request) -> str:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


async def check_csrf(request: Request, expected: str) -> None:
    submitted = await _submitted_csrf(request)
    if not submitted or not secrets.compare_digest(submitted.encode(), expected.encode()):
        raise HTTPException(403, detail="missing or wrong CSRF token: reload the page and try again")


async def page_identity(request: Request, db: DatabaseDep) -> AdminIdentity:
    identity = await session_identity(request, db)
    if identity is None:
        raise HTTPException(303, detail="sign in first", headers={"Location": login_redirect_url(request)})
    if request.method not in SAFE_METHODS:
        assert identity.csrf_token is not None
        await check_csrf(request, identity.csrf_token)
    return identity


async def api_identity(request: Request, db: DatabaseDep) -> AdminIdentity:
    identity = await _token_identity(request, db) or await session_identity(request, db)
    if identity is None:
        raise HTTPException(
            401,
            detail="authentication required: sign in to the console or send Authorization: Bearer <token>",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if request.method not in SAFE_METHODS and identity.csrf_token is not None:
        await check_csrf(request, identity.csrf_token)
    return identity


PageIdentity = Annotated[AdminIdentity, Depends(page_identity)]
ApiIdentity = Annotated[AdminIdentity, Depends(api_identity)]
