"""Jinja2 pages of the console: autoescaped templates, with the operator and CSRF token in every page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from functions.admin.auth import AdminIdentity
from functions.security_headers import CSP_HEADER, new_nonce, page_policy

NOTICES = {
    "saved": "Saved.",
    "created": "Created.",
    "deleted": "Deleted.",
    "bought": "Number bought and pointed at BuddyHelps.",
    "imported": "Number imported and pointed at BuddyHelps.",
    "resent": "Notification sent again.",
    "drained": "Worker updated.",
    "removed": "Removed.",
    "revoked": "Token revoked.",
    "job_sent_again": "Job sent again.",
    "job_not_failed": "That job has not failed (it may be running or done already).",
}

_environment = Environment(
    loader=PackageLoader("functions.admin", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _replace_page(params: Any, page: int) -> str:
    """The current query string with another page number (for Newer/Older links)."""
    pairs = [(key, value) for key, value in params.multi_items() if key != "page"]
    return urlencode([*pairs, ("page", str(page))])


_environment.filters["replace_page"] = _replace_page


def render(
    request: Request,
    template: str,
    *,
    identity: AdminIdentity | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    notice_key = request.query_params.get("notice", "")
    nonce = new_nonce()
    page = _environment.get_template(template).render(
        request=request,
        operator=identity.operator if identity else None,
        csrf_token=identity.csrf_token if identity else context.pop("csrf_token", ""),
        notice=NOTICES.get(notice_key, ""),
        csp_nonce=nonce,
        **context,
    )
    headers = {CSP_HEADER: page_policy(nonce), "Cache-Control": "no-store"}
    return HTMLResponse(page, status_code=status_code, headers=headers)


def see_other(path: str, notice: str | None = None) -> RedirectResponse:
    """Post/redirect/get: 303 to a page, with an optional notice key (never free text)."""
    if notice:
        path += ("&" if "?" in path else "?") + f"notice={notice}"
    return RedirectResponse(path, status_code=303)
