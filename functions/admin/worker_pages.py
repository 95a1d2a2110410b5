"""Console page for GPU workers: health (checked on every view), capacity, calls, models; add, drain, remove."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError

from functions.admin.auth import PageIdentity, page_identity
from functions.admin.form_errors import error_messages
from functions.admin.rendering import render, see_other
from functions.admin.worker_health import NewWorker, refresh_all
from functions.edge_app import DatabaseDep
from shared.repositories.workers import register_worker, remove_worker, set_draining

router = APIRouter(prefix="/admin/workers", dependencies=[Depends(page_identity)])


async def _page(request: Request, identity: PageIdentity, db: DatabaseDep, **extra: Any) -> Response:
    workers = await refresh_all(db)
    return render(request, "workers.html", identity=identity, workers=workers, **extra)


@router.get("")
async def workers_page(request: Request, identity: PageIdentity, db: DatabaseDep) -> Response:
    return await _page(request, identity, db)


@router.post("")
async def add(request: Request, identity: PageIdentity, db: DatabaseDep) -> Response:
    form = await request.form()
    values = {"base_url": str(form.get("base_url", "")), "capacity": str(form.get("capacity", "") or "4")}
    try:
        new = NewWorker.model_validate(values)
    except ValidationError as error:
        return await _page(request, identity, db, errors=error_messages(error), form=values, status_code=422)
    await register_worker(db, base_url=new.base_url, capacity=new.capacity)
    return see_other("/admin/workers", "created")


@router.post("/{worker_id}/drain")
async def drain(request: Request, identity: PageIdentity, db: DatabaseDep, worker_id: str) -> Response:
    form = await request.form()
    await set_draining(db, worker_id, form.get("draining") == "1")
    return see_other("/admin/workers", "drained")


@router.post("/{worker_id}/remove")
async def remove(identity: PageIdentity, db: DatabaseDep, worker_id: str) -> Response:
    await remove_worker(db, worker_id)
    return see_other("/admin/workers", "removed")
