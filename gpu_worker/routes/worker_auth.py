"""The worker's URL is public (a RunPod proxy or Modal URL): every route but /health and the media
socket wants the functions' bearer token (WORKER_API_TOKEN), compared in constant time."""

from __future__ import annotations

import hmac

from fastapi import HTTPException, Request

UNAUTHORIZED_HEADERS = {"WWW-Authenticate": "Bearer"}


def bearer_headers(token: str) -> dict[str, str]:
    """What a client of the worker sends (the console, the pool, the CLI)."""
    return {"Authorization": f"Bearer {token}"}


def require_worker_token(request: Request) -> None:
    """A FastAPI dependency: 401 (saying nothing about the worker) unless the bearer token matches."""
    expected: str = request.app.state.worker_api_token
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected.encode()):
        raise HTTPException(status_code=401, detail="a valid worker token is required", headers=UNAUTHORIZED_HEADERS)
