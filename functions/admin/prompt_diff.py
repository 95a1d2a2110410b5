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
    return _table(old, new, old_label, new_label, context_lines=None)


def changes_table(old: str, new: str, *, old_label: str, new_label: str, context_lines: int) -> Markup:
    """Only the changes and `context_lines` lines around each (for long texts such as an agent's YAML)."""
    return _table(old, new, old_label, new_label, context_lines=context_lines)


def _table(old: str, new: str, old_label: str, new_label: str, *, context_lines: int | None) -> Markup:
    # HtmlDiff escapes the compared text itself, so the table is safe to embed.
    table = difflib.HtmlDiff(wrapcolumn=60).make_table(
        _lines(old),
        _lines(new),
        fromdesc=old_label,
        todesc=new_label,
        context=context_lines is not None,
        numlines=5 if context_lines is None else context_lines,  # 5: difflib's default
    )
    return Markup(table)  # noqa: S704 - difflib escapes the compared text


def unified_diff(old: str, new: str, *, old_label: str, new_label: str) -> str:
    return "\n".join(difflib.unified_diff(_lines(old), _lines(new), old_label, new_label, lineterm=""))
