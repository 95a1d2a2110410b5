"""Whose X-Forwarded-For the functions believe when served by uvicorn (`buddyhelps serve`).

uvicorn trusts the header from 127.0.0.1 unless told otherwise, so any local client (or a proxy that
passes the header through) could pick the address that sign-in locks count. Only the proxies named in
TRUSTED_PROXY_IPS are believed; by default none, and the socket's peer address is the client.
In Lambda the address is API Gateway's `sourceIp` (set by Mangum), never a header.
"""

from __future__ import annotations

from typing import Any

from shared.settings import Settings


def uvicorn_proxy_options(settings: Settings) -> dict[str, Any]:
    """uvicorn.Config/uvicorn.run keyword arguments for the proxies Settings trusts."""
    trusted = ",".join(part.strip() for part in settings.trusted_proxy_ips.split(",") if part.strip())
    return {"proxy_headers": bool(trusted), "forwarded_allow_ips": trusted}
