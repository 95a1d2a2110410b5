"""Live calls: a page with a snapshot of every worker's /calls/live, updated by a relayed event stream.

The stream needs a long-lived HTTP response: it works where the console runs as a server (local,
container); behind API Gateway + Lambda (buffered responses) the page shows the snapshot only.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response, StreamingResponse

from functions.admin.auth import PageIdentity, api_identity, page_identity
from functions.admin.live_relay import relay
from functions.admin.rendering import render
from functions.admin.worker_client import WorkerUnavailable, fetch_live_calls, worker_urls
from functions.edge_app import DatabaseDep, SettingsDep
from shared.database import Database
from shared.repositories.businesses import list_businesses
from shared.settings import Settings

pages = APIRouter(dependencies=[Depends(page_identity)])
api = APIRouter(dependencies=[Depends(api_identity)])


async def _snapshot(db: Database, settings: Settings) -> tuple[list[dict[str, Any]], list[str]]:
    urls = await worker_urls(db, settings)
    token = settings.worker_api_token
    results = await asyncio.gather(*(fetch_live_calls(url, token=token) for url in urls), return_exceptions=True)
    calls: list[dict[str, Any]] = []
    problems: list[str] = []
    for url, result in zip(urls, results, strict=True):
        if isinstance(result, WorkerUnavailable):
            problems.append(str(result))
        elif isinstance(result, BaseException):
            raise result
        else:
            calls.extend({**call, "worker": url} for call in result)
    return calls, problems


@pages.get("/admin/live")
async def live_page(request: Request, identity: PageIdentity, db: DatabaseDep, settings: SettingsDep) -> Response:
    calls, problems = await _snapshot(db, settings)
    names = {business.id: business.name for business in await list_businesses(db)}
    return render(request, "live.html", identity=identity, calls=calls, errors=problems, business_names=names)


@pages.get("/admin/live/events")
async def live_events(db: DatabaseDep, settings: SettingsDep) -> StreamingResponse:
    urls = await worker_urls(db, settings)
    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(
        relay(urls, token=settings.worker_api_token), media_type="text/event-stream", headers=headers
    )


@api.get("/admin/api/live")
async def live_snapshot(db: DatabaseDep, settings: SettingsDep) -> dict[str, Any]:
    calls, problems = await _snapshot(db, settings)
    return {"calls": calls, "unreachable": problems}


router = APIRouter()
router.include_router(pages)
router.include_router(api)
