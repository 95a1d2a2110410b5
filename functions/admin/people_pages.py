"""Console page for a business's people and departments: who the agent takes messages for and puts
callers through to (the take_message and transfer tools read them at each call's start)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response

from functions.admin.auth import PageIdentity, page_identity
from functions.admin.rendering import render, see_other
from functions.edge_app import DatabaseDep
from shared.database import Database
from shared.people.directory import Contact, ContactKind, InvalidContact, delete_contact, load_directory, save_contact
from shared.repositories.businesses import get_business

router = APIRouter(prefix="/admin/businesses/{business_id}/people", dependencies=[Depends(page_identity)])
FIELDS = ("name", "kind", "phone", "email", "aliases")


async def _page(request: Request, identity: PageIdentity, db: Database, business_id: str, **extra: Any) -> Response:
    business = await get_business(db, business_id)
    if business is None:
        raise HTTPException(404, detail="no such business")
    directory = await load_directory(db, business_id)
    return render(request, "people.html", identity=identity, business=business, people=directory.contacts, **extra)


@router.get("")
async def people_page(request: Request, identity: PageIdentity, db: DatabaseDep, business_id: str) -> Response:
    return await _page(request, identity, db, business_id)


@router.post("")
async def add_person(request: Request, identity: PageIdentity, db: DatabaseDep, business_id: str) -> Response:
    form = await request.form()
    values = {name: str(form.get(name, "")).strip() for name in FIELDS}
    kind: ContactKind = "department" if values["kind"] == "department" else "person"
    contact = Contact(
        id=str(form.get("id", "")),
        name=values["name"],
        kind=kind,
        phone=values["phone"],
        email=values["email"],
        aliases=tuple(a.strip() for a in values["aliases"].split(",") if a.strip()),
        transfers=form.get("transfers") == "on",
    )
    try:
        await save_contact(db, business_id, contact)
    except InvalidContact as error:
        return await _page(request, identity, db, business_id, errors=[str(error)], form=values, status_code=422)
    return see_other(f"/admin/businesses/{business_id}/people", "saved")


@router.post("/{contact_id}/delete")
async def remove_person(identity: PageIdentity, db: DatabaseDep, business_id: str, contact_id: str) -> Response:
    await delete_contact(db, business_id, contact_id)
    return see_other(f"/admin/businesses/{business_id}/people", "deleted")
