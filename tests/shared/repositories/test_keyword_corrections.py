"""Keyword corrections repository, on a libSQL file and a real sqld server (http:// and ws://)."""

from __future__ import annotations

import pytest

from shared.database import Database, DatabaseError
from shared.repositories.businesses import create_business
from shared.repositories.keyword_corrections import (
    InvalidCorrection,
    add_correction,
    corrections_for,
    delete_correction,
    list_corrections,
    update_correction,
)


async def _business(db: Database, business_id: str) -> str:
    return (await create_business(db, name=business_id, owner_phone="+15550109999", business_id=business_id)).id


async def test_a_business_gets_its_own_corrections_first_then_the_global_ones(any_db: Database) -> None:
    # GIVEN a global correction, one for business A and one for business B
    a, b = await _business(any_db, "biz_a"), await _business(any_db, "biz_b")
    await add_correction(any_db, heard="leek", corrected="leak")
    await add_correction(any_db, heard="quogged", corrected="clogged", business_id=a)
    await add_correction(any_db, heard="sump bump", corrected="sump pump", business_id=b)
    # WHEN business A's corrections are loaded
    found = await corrections_for(any_db, a)
    # THEN A's own come first, then the global one, and B's is not there
    assert [(c.heard, c.business_id) for c in found] == [("quogged", a), ("leek", None)]
    # AND without a business only the global ones apply
    assert [c.heard for c in await corrections_for(any_db, None)] == ["leek"]
    assert len(await list_corrections(any_db)) == 3


async def test_the_same_word_twice_in_one_scope_is_refused_but_allowed_in_another(any_db: Database) -> None:
    # GIVEN a global correction for "leek"
    a = await _business(any_db, "biz_a")
    await add_correction(any_db, heard="leek", corrected="leak")
    # WHEN "LEEK" is added globally again THEN it is refused (case does not matter)
    with pytest.raises(DatabaseError):
        await add_correction(any_db, heard="LEEK", corrected="leak")
    # AND the same word for one business is a separate, allowed rule
    own = await add_correction(any_db, heard="leek", corrected="Leak", business_id=a)
    assert own.business_id == a


@pytest.mark.parametrize(
    ("heard", "corrected", "message"),
    [
        ("", "clogged", "required"),
        ("quogged", "   ", "required"),
        ("Leak", "leak", "same as the misheard"),
        ("x" * 101, "y", "100 characters"),
    ],
)
async def test_bad_corrections_are_refused_with_the_reason(
    any_db: Database, heard: str, corrected: str, message: str
) -> None:
    # GIVEN a bad correction WHEN added THEN it is refused with why, and nothing is stored
    with pytest.raises(InvalidCorrection, match=message):
        await add_correction(any_db, heard=heard, corrected=corrected)
    assert await list_corrections(any_db) == []


async def test_a_correction_can_be_edited_and_deleted(any_db: Database) -> None:
    # GIVEN a correction
    rule = await add_correction(any_db, heard=" water heeter ", corrected="water heater")
    assert rule.heard == "water heeter"
    # WHEN it is edited THEN the new text is used
    assert await update_correction(any_db, rule.id, heard="hot water heeter", corrected="hot water heater") is True
    assert [(c.heard, c.corrected) for c in await list_corrections(any_db)] == [
        ("hot water heeter", "hot water heater")
    ]
    # WHEN it is deleted THEN it is gone, and a second delete or an edit of a missing id reports False
    assert await delete_correction(any_db, rule.id) is True
    assert await delete_correction(any_db, rule.id) is False
    assert await update_correction(any_db, rule.id, heard="a", corrected="b") is False
