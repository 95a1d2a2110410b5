"""Console pages for businesses: list, create, edit (owner contact, hours, greeting, voice, enabled)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from pydantic import ValidationError

from functions.admin.auth import PageIdentity, page_identity
from functions.admin.business_input import (
    VOICES,
    BusinessChanges,
    NewBusiness,
    current_greeting,
    save_greeting,
    start_agent,
)
from functions.admin.form_errors import error_messages
from functions.admin.rendering import render, see_other
from functions.edge_app import DatabaseDep
from shared.agents.templates import template_names
from shared.repositories.businesses import create_business, get_business, list_businesses, update_business
from shared.repositories.phone_numbers import list_numbers

router = APIRouter(dependencies=[Depends(page_identity)])
REQUIRED_OR_CLEARABLE = ("name", "owner_phone", "owner_email", "opening_hours")
FIELDS = (
    "name",
    "owner_phone",
    "owner_email",
    "timezone",
    "opening_hours",
    "greeting",
    "voice",
    "language",
    "recording_retention_days",
)


async def _form_values(request: Request) -> dict[str, Any]:
    form = await request.form()
    values: dict[str, Any] = {name: str(form.get(name, "")) for name in FIELDS}
    values["enabled"] = form.get("enabled") == "on"
    return values


@router.get("/admin/businesses")
async def business_list(request: Request, identity: PageIdentity, db: DatabaseDep) -> Response:
    businesses = await list_businesses(db)
    return render(
        request,
        "businesses.html",
        identity=identity,
        businesses=businesses,
        form={},
        voices=VOICES,
        templates=template_names(),
    )


@router.post("/admin/businesses")
async def business_create(request: Request, identity: PageIdentity, db: DatabaseDep) -> Response:
    values = await _form_values(request)
    values.pop("enabled")
    try:
        new = NewBusiness.model_validate({key: value for key, value in values.items() if value != ""})
    except ValidationError as error:
        businesses = await list_businesses(db)
        return render(
            request,
            "businesses.html",
            identity=identity,
            status_code=422,
            businesses=businesses,
            form=values,
            voices=VOICES,
            templates=template_names(),
            errors=error_messages(error),
        )
    business = await create_business(db, **new.business_fields())
    await start_agent(db, business, new.template, created_by=identity.operator.email)
    if new.greeting:
        await save_greeting(db, business, new.greeting, created_by=identity.operator.email)
    return see_other(f"/admin/businesses/{business.id}", "created")


async def _edit_page(
    request: Request, identity: PageIdentity, db: DatabaseDep, business_id: str, **extra: Any
) -> Response:
    business = await get_business(db, business_id)
    if business is None:
        raise HTTPException(404, detail="no such business")
    form = extra.pop("form", None) or {
        **{name: getattr(business, name, "") for name in FIELDS if name != "greeting"},
        "greeting": await current_greeting(db, business),
        "enabled": business.enabled,
    }
    numbers = await list_numbers(db, business_id=business_id)
    return render(
        request,
        "business_edit.html",
        identity=identity,
        business=business,
        form=form,
        numbers=numbers,
        voices=VOICES,
        **extra,
    )


@router.get("/admin/businesses/{business_id}")
async def business_page(request: Request, identity: PageIdentity, db: DatabaseDep, business_id: str) -> Response:
    return await _edit_page(request, identity, db, business_id)


@router.post("/admin/businesses/{business_id}")
async def business_update(request: Request, identity: PageIdentity, db: DatabaseDep, business_id: str) -> Response:
    business = await get_business(db, business_id)
    if business is None:
        raise HTTPException(404, detail="no such business")
    values = await _form_values(request)
    try:
        changes = BusinessChanges.model_validate(
            {key: value for key, value in values.items() if value != "" or key in REQUIRED_OR_CLEARABLE}
        )
    except ValidationError as error:
        return await _edit_page(
            request, identity, db, business_id, form=values, errors=error_messages(error), status_code=422
        )
    updated = await update_business(db, business_id, **changes.business_fields())
    assert updated is not None
    if changes.greeting:
        await save_greeting(db, updated, changes.greeting, created_by=identity.operator.email)
    return see_other(f"/admin/businesses/{business_id}", "saved")
