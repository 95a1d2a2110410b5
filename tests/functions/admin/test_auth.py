"""Auth of the operator console: nothing answers without an operator; CSRF, rate limits, fixation, redirects."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute

from functions.admin import router as admin_router
from functions.admin.auth import SESSION_COOKIE
from shared.database import Database
from shared.repositories.operators import create_operator
from tests.functions.admin.conftest import OPERATOR_EMAIL, OPERATOR_PASSWORD, AdminSite, csrf_from, sign_in

PUBLIC_PATHS = {"/admin/login", "/admin/static/admin.css"}


def _walk(routes: list[Any]) -> Iterator[Any]:
    for route in routes:
        if hasattr(route, "original_router"):  # FastAPI includes routers lazily
            yield from _walk(route.original_router.routes)
        else:
            yield route


def _admin_routes() -> list[tuple[str, str]]:
    found = []
    for route in _walk(admin_router.routes):
        if isinstance(route, APIRoute) and route.path not in PUBLIC_PATHS:
            path = route.path.replace("{", "").replace("}", "")  # any value: auth is checked first
            found.extend((method, path) for method in sorted(route.methods))
    return found


async def test_every_page_redirects_to_sign_in_and_every_api_answers_401_without_auth(admin_site: AdminSite):
    # GIVEN every route of the console, and a client with no session and no token
    routes = _admin_routes()
    assert len(routes) > 10
    async with httpx.AsyncClient(base_url=admin_site.base_url) as anonymous:
        for method, path in routes:
            # WHEN it calls the route
            response = await anonymous.request(method, path)
            # THEN pages send it to the sign-in page, the API answers 401 JSON
            if path.startswith("/admin/api"):
                assert response.status_code == 401, (method, path)
                assert "authentication required" in response.json()["detail"]
            else:
                assert response.status_code == 303, (method, path, response.status_code)
                assert response.headers["location"].startswith("/admin/login?next="), (method, path)


async def test_sign_in_redirect_keeps_where_the_operator_was_going(admin_site: AdminSite):
    # GIVEN an operator who opens a deep link without a session
    async with httpx.AsyncClient(base_url=admin_site.base_url) as client:
        response = await client.get("/admin/calls?urgency=emergency")
        assert response.headers["location"] == "/admin/login?next=%2Fadmin%2Fcalls%3Furgency%3Demergency"
        # WHEN they sign in from that page
        form = await client.get(response.headers["location"])
        signed_in = await client.post(
            "/admin/login",
            data={
                "email": OPERATOR_EMAIL,
                "password": OPERATOR_PASSWORD,
                "csrf_token": csrf_from(form.text),
                "next": "/admin/calls?urgency=emergency",
            },
        )
        # THEN they land where they were going
        assert signed_in.status_code == 303
        assert signed_in.headers["location"] == "/admin/calls?urgency=emergency"


@pytest.mark.parametrize(
    "evil", ["https://evil.example", "//evil.example/admin", "/\\evil.example", "javascript:alert(1)", "/elsewhere"]
)
async def test_next_pointing_off_the_console_is_ignored(admin_site: AdminSite, evil: str):
    # GIVEN a sign-in link whose next points to another site
    async with httpx.AsyncClient(base_url=admin_site.base_url) as client:
        form = await client.get("/admin/login", params={"next": evil})
        assert evil not in form.text
        # WHEN the operator signs in with it
        response = await client.post(
            "/admin/login",
            data={
                "email": OPERATOR_EMAIL,
                "password": OPERATOR_PASSWORD,
                "csrf_token": csrf_from(form.text),
                "next": evil,
            },
        )
        # THEN they stay on the console
        assert response.status_code == 303
        assert response.headers["location"] == "/admin/calls"


async def test_session_id_changes_at_sign_in_and_a_planted_id_is_useless(admin_site: AdminSite):
    # GIVEN an attacker-planted session cookie in the victim's browser
    async with httpx.AsyncClient(base_url=admin_site.base_url) as client:
        planted = "attacker-chosen-session-id"
        client.cookies.set(SESSION_COOKIE, planted, domain="127.0.0.1", path="/admin")
        # WHEN the victim signs in
        await sign_in(client)
        issued = client.cookies.get(SESSION_COOKIE)
        # THEN the session id is a fresh one, and the planted id opens nothing
        assert issued
        assert issued != planted
    async with httpx.AsyncClient(base_url=admin_site.base_url, cookies={SESSION_COOKIE: planted}) as attacker:
        assert (await attacker.get("/admin/businesses")).status_code == 303


async def test_session_cookie_is_http_only_and_same_site(admin_site: AdminSite):
    # GIVEN the sign-in form
    async with httpx.AsyncClient(base_url=admin_site.base_url) as client:
        form = await client.get("/admin/login")
        # WHEN the operator signs in
        response = await client.post(
            "/admin/login",
            data={"email": OPERATOR_EMAIL, "password": OPERATOR_PASSWORD, "csrf_token": csrf_from(form.text)},
        )
        # THEN the cookie cannot be read by scripts nor sent by other sites' forms (not Secure in development)
        cookie = next(v for v in response.headers.get_list("set-cookie") if v.startswith(SESSION_COOKIE))
        assert "HttpOnly" in cookie
        assert "SameSite=lax" in cookie
        assert "Secure" not in cookie


async def test_post_without_csrf_token_is_refused(console: tuple[httpx.AsyncClient, str]):
    # GIVEN a signed-in operator
    client, csrf = console
    # WHEN a form is posted without the CSRF token, or with a wrong one
    missing = await client.post("/admin/businesses", data={"name": "Forged", "owner_phone": "+15125550000"})
    wrong = await client.post(
        "/admin/businesses", data={"name": "Forged", "owner_phone": "+15125550000", "csrf_token": "x" + csrf}
    )
    # THEN both are refused with 403 and nothing is created
    assert missing.status_code == 403
    assert wrong.status_code == 403
    assert "Forged" not in (await client.get("/admin/businesses")).text


async def test_api_with_session_cookie_needs_csrf_header(console: tuple[httpx.AsyncClient, str]):
    # GIVEN a signed-in console session
    client, csrf = console
    body = {"name": "Cookie Plumbing", "owner_phone": "+15125550001"}
    # WHEN the JSON API is called with the cookie but no CSRF header, then with it
    refused = await client.post("/admin/api/businesses", json=body)
    accepted = await client.post("/admin/api/businesses", json=body, headers={"X-CSRF-Token": csrf})
    # THEN only the request with the header is accepted
    assert refused.status_code == 403
    assert accepted.status_code == 201


async def test_sign_in_form_without_csrf_is_refused(admin_site: AdminSite):
    # GIVEN a forged sign-in post with no CSRF cookie or field
    async with httpx.AsyncClient(base_url=admin_site.base_url) as client:
        response = await client.post("/admin/login", data={"email": OPERATOR_EMAIL, "password": OPERATOR_PASSWORD})
        # THEN it is refused and no session is issued
        assert response.status_code == 403
        assert client.cookies.get(SESSION_COOKIE) is None


async def test_wrong_password_is_rate_limited_per_account(admin_site: AdminSite, db: Database):
    # GIVEN an operator account
    await create_operator(db, email="target@buddyhelps.example", password="the-right-password-1")
    async with httpx.AsyncClient(base_url=admin_site.base_url) as client:
        csrf = csrf_from((await client.get("/admin/login")).text)

        async def attempt(password: str) -> httpx.Response:
            return await client.post(
                "/admin/login", data={"email": "target@buddyhelps.example", "password": password, "csrf_token": csrf}
            )

        # WHEN someone guesses wrong five times
        statuses = [(await attempt(f"guess-{n}")).status_code for n in range(5)]
        # THEN each says wrong password, and then even the right password is refused for a while
        assert statuses == [401] * 5
        locked = await attempt("the-right-password-1")
        assert locked.status_code == 429
        assert "Too many failed sign-in attempts" in locked.text
        assert client.cookies.get(SESSION_COOKIE) is None


async def test_wrong_password_says_so_without_telling_which_part(admin_site: AdminSite):
    async with httpx.AsyncClient(base_url=admin_site.base_url) as client:
        csrf = csrf_from((await client.get("/admin/login")).text)
        # WHEN an unknown email signs in
        response = await client.post(
            "/admin/login",
            data={"email": "nobody@buddyhelps.example", "password": "whatever-it-is", "csrf_token": csrf},
        )
        # THEN the page says the pair is wrong and keeps the email typed
        assert response.status_code == 401
        assert "Wrong email or password." in response.text
        assert 'value="nobody@buddyhelps.example"' in response.text


async def test_sign_out_ends_the_session(admin_site: AdminSite):
    async with httpx.AsyncClient(base_url=admin_site.base_url) as client:
        csrf = await sign_in(client)
        session = client.cookies.get(SESSION_COOKIE)
        # WHEN the operator signs out
        response = await client.post("/admin/logout", data={"csrf_token": csrf})
        assert response.status_code == 303
    # THEN the old session id no longer opens the console
    async with httpx.AsyncClient(base_url=admin_site.base_url, cookies={SESSION_COOKIE: session or ""}) as replay:
        assert (await replay.get("/admin/businesses")).status_code == 303


async def test_api_token_works_and_a_wrong_one_does_not(admin_site: AdminSite, api: httpx.AsyncClient):
    assert (await api.get("/admin/api/businesses")).status_code == 200
    async with httpx.AsyncClient(base_url=admin_site.base_url) as client:
        response = await client.get("/admin/api/businesses", headers={"Authorization": "Bearer bh_not-a-token"})
        assert response.status_code == 401
