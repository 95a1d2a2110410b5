"""Security headers of every functions response: no framing, no sniffing, no caching of personal data.

Pages that render HTML set their own Content-Security-Policy with a per-response nonce for their
inline script (`page_policy`); every other response (JSON, redirects, TwiML, photo bytes) gets the
strictest policy, which only forbids framing and loading anything. Personal data (the console, the
call page, the photo pages, the worker's signed API) is never stored by a browser or a shared cache.
"""

from __future__ import annotations

import secrets

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP_HEADER = "content-security-policy"
# Anything that is not a page: load nothing, be framed by no one.
STRICT_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# Paths whose answers hold personal data: the console, call pages, photo pages and the signed API.
PRIVATE_PREFIXES = ("/admin", "/c/", "/photo/", "/api/")
PUBLIC_PREFIXES = ("/admin/static/",)


def new_nonce() -> str:
    return secrets.token_urlsafe(18)


def page_policy(nonce: str) -> str:
    """A page's policy: its own scripts (by nonce), styles and connections; photos may come from S3 (https)."""
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'nonce-{nonce}'",
            "style-src 'self' 'unsafe-inline'",  # the pages' <style> block and style attributes
            "img-src 'self' https: data: blob:",
            "media-src 'self' https:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


def is_private(path: str) -> bool:
    return path.startswith(PRIVATE_PREFIXES) and not path.startswith(PUBLIC_PREFIXES)


class SecurityHeaders:
    """ASGI middleware adding the headers above to every HTTP response that lacks them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        private = is_private(scope.get("path", ""))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault(CSP_HEADER, STRICT_POLICY)
                headers.setdefault("x-frame-options", "DENY")
                headers.setdefault("x-content-type-options", "nosniff")
                headers.setdefault("referrer-policy", "no-referrer")
                if private:
                    headers.setdefault("cache-control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)
