"""GET /healthz through the real ASGI app: up with its schema version, or 503 when the database is not."""

from __future__ import annotations

from pathlib import Path

import httpx
from fastapi import FastAPI

from functions import healthz
from functions.edge_app import create_function_app
from shared.database import bundled_migrations
from shared.settings import Settings, load_settings
from tests.libsql_server import SqldServer, free_port


async def _get(settings: Settings) -> httpx.Response:
    app: FastAPI = create_function_app(healthz.router, settings=settings)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
            return await client.get("/healthz")
    finally:
        await app.state.edge.close()


async def test_healthz_reports_the_schema_version_on_a_file(tmp_path: Path) -> None:
    # GIVEN the embedded default (a libSQL file that does not exist yet)
    settings = load_settings(BUDDYHELPS_DATA_DIR=tmp_path / "data")
    # WHEN /healthz is asked THEN it is up, at the newest schema version
    response = await _get(settings)
    assert response.status_code == 200
    assert response.json() == {"ok": True, "schema_version": max(v for v, _, _ in bundled_migrations())}


async def test_healthz_reports_the_schema_version_on_a_libsql_server(tmp_path: Path, libsql_server: SqldServer) -> None:
    # GIVEN the database is a real libSQL server (as Turso in production)
    settings = load_settings(BUDDYHELPS_DATA_DIR=tmp_path, TURSO_DATABASE_URL=libsql_server.http_url)
    # WHEN /healthz is asked THEN it is up
    response = await _get(settings)
    assert response.status_code == 200
    assert response.json()["ok"] is True


async def test_healthz_says_503_when_the_database_cannot_be_reached(tmp_path: Path) -> None:
    # GIVEN a database URL where nothing listens
    settings = load_settings(BUDDYHELPS_DATA_DIR=tmp_path, TURSO_DATABASE_URL=f"http://127.0.0.1:{free_port()}")
    # WHEN /healthz is asked THEN it answers 503 with a reason, not a crash
    response = await _get(settings)
    assert response.status_code == 503
    assert response.json()["ok"] is False
    assert response.json()["database"]
