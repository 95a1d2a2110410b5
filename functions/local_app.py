"""Every edge function mounted in one ASGI app, for development (`buddyhelps serve`) and tests."""

from __future__ import annotations

import importlib

from fastapi import APIRouter, FastAPI

from functions.edge_app import create_function_app
from shared.settings import Settings

# Each module defines `router` (its routes) beside its own Lambda `handler`.
ROUTER_MODULES = (
    "functions.healthz",
    "functions.incoming_call",
    "functions.stream_end",
    "functions.call_status",
    "functions.outbound.call_events",
    "functions.call_complete",
    "functions.photo_link",
    "functions.tool_actions",
    "functions.transfer_end",
    "functions.keypad_menu",
    "functions.call_page",
    "functions.photo_upload",
    "functions.admin",
)


def routers() -> list[APIRouter]:
    return [importlib.import_module(name).router for name in ROUTER_MODULES]


def create_local_app(settings: Settings | None = None) -> FastAPI:
    return create_function_app(*routers(), settings=settings, title="BuddyHelps functions (local)")
