"""A list of numbers as people upload it: CSV rows of number[,label], an optional header row."""

from __future__ import annotations

import csv
import io

HEADER_CELLS = frozenset({"number", "phone", "to", "phone_number"})


def read_numbers(text: str) -> list[tuple[str, str]]:
    """CSV text → (number, label) pairs; the header row and blank lines are skipped. The numbers are
    checked when queued (shared.outbound.campaigns.add_numbers), which says why any is refused."""
    rows = [row for row in csv.reader(io.StringIO(text)) if row and row[0].strip()]
    if rows and rows[0][0].strip().lower() in HEADER_CELLS:
        rows = rows[1:]
    return [(row[0].strip(), row[1].strip() if len(row) > 1 else "") for row in rows]
