"""GET /healthz: the edge is up and its database answers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from functions.edge_app import EdgeState, FunctionHandler, edge_state
from shared.database import DatabaseError

router = APIRouter()
EdgeStateDep = Annotated[EdgeState, Depends(edge_state)]


@router.get("/healthz")
async def healthz(state: EdgeStateDep) -> JSONResponse:
    try:
        # Opened here, not as a dependency, so an unreachable database is a 503 and not a crash.
        db = await state.database()
        row = await db.fetch_one("SELECT MAX(version) AS version FROM schema_migrations")
    except DatabaseError as error:
        return JSONResponse({"ok": False, "database": str(error)}, status_code=503)
    return JSONResponse({"ok": True, "schema_version": row["version"] if row else None})


handler = FunctionHandler(router)
