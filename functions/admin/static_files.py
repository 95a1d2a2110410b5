"""The console's one stylesheet, served publicly (the sign-in page needs it; it holds nothing secret)."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter
from fastapi.responses import Response

router = APIRouter()
_STYLESHEET = (resources.files("functions.admin") / "templates" / "admin.css").read_text("utf-8")


@router.get("/admin/static/admin.css", include_in_schema=False)
async def stylesheet() -> Response:
    return Response(_STYLESHEET, media_type="text/css", headers={"Cache-Control": "public, max-age=300"})
