"""GET /healthz: the edge is up and its database answers."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from functions.edge_app import DatabaseDep, FunctionHandler
from shared.database import DatabaseError

router = APIRouter()


@router.get("/healthz")
async def healthz(db: DatabaseDep) -> JSONResponse:
    try:
        row = await db.fetch_one("SELECT MAX(version) AS version FROM schema_migrations")
    except DatabaseError as error:
        return JSONResponse({"ok": False, "database": str(error)}, status_code=503)
    return JSONResponse({"ok": True, "schema_version": row["version"] if row else None})


handler = FunctionHandler(router)
