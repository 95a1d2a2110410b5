"""The HTTP both REST providers share: JSON calls that turn every failure into a CalendarError saying what
failed, and a bearer token fetched once and reused until shortly before it expires."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from shared.calendars.calendar import CalendarError

ERROR_BODY_LIMIT = 300
TOKEN_MARGIN_S = 60.0  # renew this long before expiry, so a token never lapses mid-request


async def call_json(
    client: httpx.AsyncClient,
    provider: str,
    method: str,
    url: str,
    *,
    token: str | None = None,
    json: dict[str, Any] | None = None,
    data: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The JSON object a 2xx answer carries ({} for none); anything else raises CalendarError."""
    sent = dict(headers or {})
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    path = httpx.URL(url).path
    try:
        response = await client.request(method, url, json=json, data=data, params=params, headers=sent)
    except httpx.HTTPError as error:
        raise CalendarError(f"{provider}: {method} {path} failed: {type(error).__name__}: {error}") from error
    if not response.is_success:
        body = " ".join(response.text.split())[:ERROR_BODY_LIMIT]
        raise CalendarError(f"{provider}: {method} {path} answered {response.status_code}: {body}")
    if response.status_code == 204 or not response.content:
        return {}
    try:
        payload = response.json()
    except ValueError as error:
        raise CalendarError(f"{provider}: {method} {path} answered with something that is not JSON") from error
    if not isinstance(payload, dict):
        raise CalendarError(f"{provider}: {method} {path} answered with JSON that is not an object")
    return payload


class CachedToken:
    """An access token from `fetch` (which returns the token and its lifetime in seconds), shared by
    concurrent requests: one fetch at a time, reused until TOKEN_MARGIN_S before it expires."""

    def __init__(self, fetch: Callable[[], Awaitable[tuple[str, float]]]) -> None:
        self._fetch = fetch
        self._lock = asyncio.Lock()
        self._value = ""
        self._expires_at = 0.0

    async def get(self) -> str:
        async with self._lock:
            if not self._value or time.monotonic() >= self._expires_at:
                value, lifetime_s = await self._fetch()
                self._value = value
                self._expires_at = time.monotonic() + max(0.0, lifetime_s - TOKEN_MARGIN_S)
            return self._value


def token_from(payload: dict[str, Any], provider: str) -> tuple[str, float]:
    """The access token and its lifetime from an OAuth token answer."""
    token = payload.get("access_token")
    if not isinstance(token, str) or not token:
        raise CalendarError(f"{provider}: the token endpoint answered without an access_token")
    expires_in = payload.get("expires_in", 3600)
    try:
        return token, float(expires_in)
    except (TypeError, ValueError) as error:
        raise CalendarError(f"{provider}: the token endpoint answered expires_in={expires_in!r}") from error
