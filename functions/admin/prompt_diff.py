"""Differences between two prompt versions: an HTML side-by-side table and a unified text diff."""

from __future__ import annotations

import difflib
import re

from markupsafe import Markup

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _lines(text: str) -> list[str]:
    """Prompts are paragraphs: compare sentence by sentence so one edit does not mark the whole paragraph."""
    return [sentence for line in text.splitlines() for sentence in _SENTENCE_END.split(line) if sentence]


def diff_table(old: str, new: str, *, old_label: str, new_label: str) -> Markup:
    # HtmlDiff escapes the compared text itself, so the table is safe to embed.
    table = difflib.HtmlDiff(wrapcolumn=60).make_table(
        _lines(old), _lines(new), fromdesc=old_label, todesc=new_label, context=False
    )
    return Markup(table)  # noqa: S704 - difflib escapes the compared text


def unified_diff(old: str, new: str, *, old_label: str, new_label: str) -> str:
    return "\n".join(difflib.unified_diff(_lines(old), _lines(new), old_label, new_label, lineterm=""))
