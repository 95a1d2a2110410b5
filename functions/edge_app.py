"""How every edge function is built: one FastAPI app per deployable module, `handler = Mangum(app)`.

Settings are built once at the entry point (module import in Lambda, `buddyhelps serve` locally) and
kept on `app.state`. The database opens lazily on the first request, because Lambda runs with the
ASGI lifespan off; one connection per warm container is then reused.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, FastAPI, Request
from mangum import Mangum

from functions.security_headers import SecurityHeaders
from shared.database import Database, open_database
from shared.settings import Settings, load_settings
from shared.structured_logging import configure_logging

log = logging.getLogger(__name__)


class EdgeState:
    """Per-process state of an edge app: settings and the lazily opened database."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._database: Database | None = None
        self._lock = asyncio.Lock()

    async def database(self) -> Database:
        if self._database is None:
            async with self._lock:
                if self._database is None:
                    self._database = await open_database(
                        self.settings.database_url, auth_token=self.settings.turso_auth_token
                    )
        return self._database

    async def close(self) -> None:
        if self._database is not None:
            await self._database.close()
            self._database = None


def create_function_app(*routers: APIRouter, settings: Settings | None = None, title: str = "BuddyHelps") -> FastAPI:
    if settings is None:
        settings = load_settings()
        configure_logging(settings.log_level)
    state = EdgeState(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await state.close()

    app = FastAPI(title=title, lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(SecurityHeaders)
    app.state.edge = state
    for router in routers:
        app.include_router(router)
    return app


def edge_state(request: Request) -> EdgeState:
    state: EdgeState = request.app.state.edge
    return state


def get_settings(request: Request) -> Settings:
    return edge_state(request).settings


async def get_database(request: Request) -> Database:
    return await edge_state(request).database()


SettingsDep = Annotated[Settings, Depends(get_settings)]
DatabaseDep = Annotated[Database, Depends(get_database)]


class FunctionHandler:
    """The Lambda entry point of one function module: `handler = FunctionHandler(router)`.

    The app (and Settings, from the environment) is built on the first invocation rather than at
    import, so importing a module for its router has no side effects.
    """

    def __init__(self, *routers: APIRouter) -> None:
        self._routers = routers
        self._app: FastAPI | None = None
        self._mangum: Mangum | None = None

    @property
    def app(self) -> FastAPI:
        if self._app is None:
            self._app = create_function_app(*self._routers)
        return self._app

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        if self._mangum is None:
            # API Gateway puts a named stage in the path ("/prod/incoming-call"); the routes and the
            # signed URL (PUBLIC_BASE_URL + route) both expect it stripped, so strip PUBLIC_BASE_URL's path.
            settings: Settings = self.app.state.edge.settings
            base_path = urlsplit(settings.public_base_url).path.rstrip("/") or "/"
            self._mangum = Mangum(self.app, lifespan="off", api_gateway_base_path=base_path)
        return self._mangum(event, context)
