"""The operator console: HTML pages under /admin and a JSON API under /admin/api.

Every route except sign-in and the stylesheet requires an operator (session cookie or API token).
"""

from __future__ import annotations

from fastapi import APIRouter

from functions.admin import (
    agent_api,
    agent_pages,
    analytics_api,
    analytics_pages,
    business_api,
    business_pages,
    call_api,
    call_pages,
    campaign_api,
    campaign_pages,
    document_pages,
    job_pages,
    keyword_api,
    keyword_pages,
    live_routes,
    login_routes,
    number_api,
    number_pages,
    people_pages,
    prompt_api,
    prompt_pages,
    sign_in_lock_pages,
    static_files,
    token_routes,
    worker_api,
    worker_pages,
)
from functions.edge_app import FunctionHandler

router = APIRouter()
for _module in (
    static_files,
    login_routes,
    business_pages,
    business_api,
    number_pages,
    number_api,
    prompt_pages,
    prompt_api,
    agent_pages,
    agent_api,
    keyword_pages,
    keyword_api,
    people_pages,
    document_pages,
    call_pages,
    call_api,
    campaign_pages,
    campaign_api,
    analytics_pages,
    analytics_api,
    live_routes,
    worker_pages,
    worker_api,
    job_pages,
    token_routes,
    sign_in_lock_pages,
):
    router.include_router(_module.router)

handler = FunctionHandler(router)
