"""A business's people and departments, and finding the one a caller named ("Sam", "the billing team")."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Literal

from shared.database import Database, utc_now

ContactKind = Literal["person", "department"]
_WORD = re.compile(r"[a-záéíóúñü]+")
_FILLER = {"the", "team", "department", "dept", "to", "for", "mr", "mrs", "ms", "dr", "el", "la", "de", "del"}


class InvalidContact(ValueError):
    """A person or department that cannot be stored; the message says which part and why."""


@dataclass(frozen=True)
class Contact:
    name: str
    kind: ContactKind = "person"
    phone: str = ""  # E.164; "": messages go by email only and there is no transfer
    email: str = ""
    aliases: tuple[str, ...] = ()  # other names callers use ("accounts" for Billing)
    transfers: bool = True  # calls may be put through to this phone
    id: str = ""

    def words(self) -> set[str]:
        names = (self.name, *self.aliases)
        return {word for name in names for word in _WORD.findall(name.lower()) if word not in _FILLER}


@dataclass(frozen=True)
class Directory:
    contacts: tuple[Contact, ...] = ()

    def find(self, named: str) -> Contact | None:
        """The contact whose name or alias shares the most words with `named` (None: nobody matches)."""
        asked = {word for word in _WORD.findall(named.lower()) if word not in _FILLER}
        scored = [(len(asked & contact.words()), contact) for contact in self.contacts]
        best = max(scored, key=lambda pair: pair[0], default=(0, None))
        return best[1] if best[0] else None


async def load_directory(db: Database, business_id: str) -> Directory:
    rows = await db.fetch_all("SELECT * FROM business_people WHERE business_id = ? ORDER BY name", (business_id,))
    return Directory(
        tuple(
            Contact(
                id=row["id"],
                name=row["name"],
                kind=row["kind"],
                phone=row["phone"],
                email=row["email"],
                aliases=tuple(a.strip() for a in row["aliases"].split(",") if a.strip()),
                transfers=bool(row["transfers"]),
            )
            for row in rows
        )
    )


async def save_contact(db: Database, business_id: str, contact: Contact) -> str:
    """Insert or update one person or department; returns its id."""
    _check(contact)
    contact_id = contact.id or uuid.uuid4().hex
    await db.execute(
        "INSERT INTO business_people (id, business_id, kind, name, aliases, phone, email, transfers, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET kind = excluded.kind,"
        " name = excluded.name, aliases = excluded.aliases, phone = excluded.phone, email = excluded.email,"
        " transfers = excluded.transfers, updated_at = excluded.updated_at",
        (
            contact_id,
            business_id,
            contact.kind,
            contact.name.strip(),
            ", ".join(contact.aliases),
            contact.phone.strip(),
            contact.email.strip(),
            int(contact.transfers),
            utc_now(),
        ),
    )
    return contact_id


async def delete_contact(db: Database, business_id: str, contact_id: str) -> None:
    await db.execute("DELETE FROM business_people WHERE business_id = ? AND id = ?", (business_id, contact_id))


def _check(contact: Contact) -> None:
    if not contact.name.strip():
        raise InvalidContact("a person or department needs a name")
    if contact.phone and not re.fullmatch(r"\+[1-9]\d{6,14}", contact.phone.strip()):
        raise InvalidContact(f"the phone number must be in E.164 form (+15551234567), not {contact.phone!r}")
    if contact.email and "@" not in contact.email:
        raise InvalidContact(f"{contact.email!r} is not an email address")
    if not (contact.phone or contact.email):
        raise InvalidContact("a person or department needs a phone number or an email to reach them")
