"""Full-text call search on every database backend (libSQL file, sqld over http:// and ws://):
the FTS5 table and its triggers follow inserts, transcript and extraction updates, and deletes."""

from __future__ import annotations

import json

from functions.admin.call_search import CallFilters, fts_query, search_calls
from shared.database import Database
from shared.repositories.calls import create_call, update_live_progress


async def _found(db: Database, words: str) -> list[str]:
    return [call.call_sid for call in await search_calls(db, CallFilters.model_validate({"q": words}))]


async def test_search_follows_the_calls_table_on_every_backend(any_db: Database):
    # GIVEN a call whose transcript arrives while it is live
    await create_call(any_db, call_sid="CAfts1", from_number="+15125550001", to_number="+15125550002", business_id=None)
    await update_live_progress(
        any_db,
        call_sid="CAfts1",
        transcript=[{"speaker": "caller", "text": "the sump pump stopped working", "start_ms": 0, "end_ms": 1}],
        latency=[],
        dtmf="",
    )
    # THEN its words are found (prefixes and stems too)
    assert await _found(any_db, "sump") == ["CAfts1"]
    assert await _found(any_db, "stop") == ["CAfts1"]
    # WHEN the extraction is written
    extraction = {"customer_name": "Morgan Vale", "problem": "broken sump pump", "urgency": "soon"}
    await any_db.execute("UPDATE calls SET extraction = ? WHERE call_sid = ?", (json.dumps(extraction), "CAfts1"))
    # THEN the extracted name is searchable, and the transcript still is
    assert await _found(any_db, "morgan") == ["CAfts1"]
    assert await _found(any_db, "pump working") == ["CAfts1"]
    # WHEN the call is deleted, THEN nothing is found any more
    await any_db.execute("DELETE FROM calls WHERE call_sid = ?", ("CAfts1",))
    assert await _found(any_db, "sump") == []


def test_operator_text_becomes_a_safe_fts_query():
    assert fts_query('water "heater') == '"water"* "heater"*'
    assert fts_query("NEAR(a b) OR c*") == '"NEAR"* "a"* "b"* "OR"* "c"*'
    assert fts_query("  ?! ") is None
