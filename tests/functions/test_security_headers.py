"""Security headers through the local functions app: no framing anywhere, no caching of personal data,
and page scripts allowed only by the nonce of their own response."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from shared.database import Database
from shared.repositories.operators import create_operator
from shared.settings import Settings
from tests.functions.admin.conftest import csrf_from
from tests.functions.test_photo_upload import reported_call

EMAIL = "ops@buddyhelps.example"
PASSWORD = "correct horse battery staple"


def _policy(response: httpx.Response) -> dict[str, str]:
    policy = response.headers["content-security-policy"]
    return {part.strip().split(" ", 1)[0]: part.strip() for part in policy.split(";")}


def _script_nonces(html: str) -> list[str]:
    return re.findall(r'<script nonce="([^"]+)">', html)


def assert_not_frameable_nor_cached(response: httpx.Response) -> None:
    assert _policy(response)["frame-ancestors"] == "frame-ancestors 'none'"
    assert response.headers["x-frame-options"] == "DENY"
    assert "no-store" in response.headers["cache-control"]
    assert response.headers["x-content-type-options"] == "nosniff"


async def _signed_in(client: httpx.AsyncClient, db: Database) -> None:
    await create_operator(db, email=EMAIL, password=PASSWORD)
    form = await client.get("/admin/login")
    response = await client.post(
        "/admin/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": csrf_from(form.text)}
    )
    assert response.status_code == 303


async def test_the_call_page_cannot_be_framed_or_cached(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    # GIVEN a reported call WHEN the owner opens its page
    call_id, _ = await reported_call(client, settings, db)
    response = await client.get(f"/c/{call_id}")
    # THEN no other site can frame it, nothing stores it, and it may run no script at all
    assert response.status_code == 200
    assert_not_frameable_nor_cached(response)
    assert _script_nonces(response.text) == []
    assert "'unsafe-inline'" not in _policy(response)["script-src"]


async def test_the_photo_page_runs_only_its_own_script(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    # GIVEN a photo link WHEN opened twice
    _, token = await reported_call(client, settings, db)
    first, second = await client.get(f"/photo/{token}"), await client.get(f"/photo/{token}")
    # THEN its script carries the nonce its own policy allows, new for each response
    assert_not_frameable_nor_cached(first)
    [nonce] = _script_nonces(first.text)
    assert _policy(first)["script-src"] == f"script-src 'nonce-{nonce}'"
    assert _script_nonces(second.text) != [nonce]


@pytest.mark.parametrize("path", ["/photo/not-a-real-token", "/c/not-a-real-call"])
async def test_not_found_pages_are_not_frameable_either(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 404
    assert_not_frameable_nor_cached(response)


async def test_console_pages_and_api_cannot_be_framed_or_cached(client: httpx.AsyncClient, db: Database) -> None:
    # GIVEN a signed-in operator
    login_page = await client.get("/admin/login")
    assert_not_frameable_nor_cached(login_page)
    await _signed_in(client, db)
    # WHEN they open the live calls page (it has a script) and the JSON API
    live = await client.get("/admin/live")
    api = await client.get("/admin/api/businesses")
    # THEN neither can be framed or cached, and the page's script runs by its nonce only
    assert live.status_code == 200
    assert_not_frameable_nor_cached(live)
    nonces = set(_script_nonces(live.text))
    assert len(nonces) == 1
    assert _policy(live)["script-src"] == f"script-src 'nonce-{nonces.pop()}'"
    assert api.status_code == 200
    assert_not_frameable_nor_cached(api)
    assert _policy(api)["default-src"] == "default-src 'none'"


async def test_the_console_stylesheet_may_be_cached(client: httpx.AsyncClient) -> None:
    response = await client.get("/admin/static/admin.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("cache-control", "")


def test_no_template_has_script_the_policy_would_block() -> None:
    # GIVEN every HTML template of the pages and the console
    templates = Path(__file__).parents[2] / "functions"
    pages = [*templates.glob("templates/*.html"), *templates.glob("admin/templates/*.html")]
    assert len(pages) > 10
    for template in pages:
        html = template.read_text()
        # THEN scripts carry the response's nonce, and there are no inline handlers (the policy blocks both)
        assert re.findall(r"<script(?![^>]*nonce=)", html) == [], template.name
        assert re.findall(r"\son[a-z]+\s*=", html) == [], template.name
