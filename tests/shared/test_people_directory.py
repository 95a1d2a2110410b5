"""A business's people and departments, stored and found by the names callers use."""

from __future__ import annotations

import pytest

from shared.database import Database
from shared.people.directory import Contact, InvalidContact, delete_contact, load_directory, save_contact
from shared.repositories.businesses import create_business


async def test_people_are_stored_per_business_and_found_by_name_or_alias(db: Database) -> None:
    # GIVEN two businesses, one with a person and a department
    office = await create_business(db, name="Front Desk Co", owner_phone="+12125550100")
    other = await create_business(db, name="Other Co", owner_phone="+12125550199")
    sam = await save_contact(db, office.id, Contact(name="Sam Rivera", phone="+12125550111"))
    await save_contact(
        db, office.id, Contact(name="Billing", kind="department", email="b@x.example", aliases=("accounts",))
    )
    # WHEN the office's directory is read
    directory = await load_directory(db, office.id)
    # THEN callers' words find them, and the other business sees none of them
    assert directory.find("can I speak to Sam please") == Contact(name="Sam Rivera", phone="+12125550111", id=sam)
    found = directory.find("the accounts department")
    assert found is not None
    assert found.name == "Billing"
    assert directory.find("the manager") is None
    assert (await load_directory(db, other.id)).contacts == ()
    await delete_contact(db, office.id, sam)
    assert [c.name for c in (await load_directory(db, office.id)).contacts] == ["Billing"]


@pytest.mark.parametrize(
    ("contact", "message"),
    [
        (Contact(name=" ", phone="+12125550111"), "needs a name"),
        (Contact(name="Sam", phone="212-555-0111"), "E.164"),
        (Contact(name="Sam"), "phone number or an email"),
    ],
)
async def test_a_contact_that_cannot_be_reached_is_refused_with_the_reason(
    db: Database, contact: Contact, message: str
) -> None:
    office = await create_business(db, name="Front Desk Co", owner_phone="+12125550100")
    with pytest.raises(InvalidContact, match=message):
        await save_contact(db, office.id, contact)
