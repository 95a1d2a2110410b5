"""JSON API for GPU workers: /admin/api/workers."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import JSONResponse

from functions.admin.auth import api_identity
from functions.admin.worker_health import DrainRequest, NewWorker, refresh_all
from functions.edge_app import DatabaseDep
from shared.repositories.workers import get_worker, register_worker, remove_worker, set_draining

router = APIRouter(prefix="/admin/api/workers", dependencies=[Depends(api_identity)])


@router.get("")
async def list_all(db: DatabaseDep) -> dict[str, Any]:
    return {"workers": [asdict(worker) for worker in await refresh_all(db)]}


@router.post("", status_code=201)
async def add(body: NewWorker, db: DatabaseDep) -> JSONResponse:
    worker = await register_worker(db, base_url=body.base_url, capacity=body.capacity)
    return JSONResponse(asdict(worker), status_code=201)


@router.post("/{worker_id}/drain")
async def drain(worker_id: str, body: DrainRequest, db: DatabaseDep) -> dict[str, Any]:
    if not await set_draining(db, worker_id, body.draining):
        raise HTTPException(404, detail="no such worker")
    worker = await get_worker(db, worker_id)
    assert worker is not None
    return asdict(worker)


@router.delete("/{worker_id}")
async def remove(worker_id: str, db: DatabaseDep) -> dict[str, str]:
    if not await remove_worker(db, worker_id):
        raise HTTPException(404, detail="no such worker")
    return {"removed": worker_id}
