"""Apply keyword corrections to a transcript: whole words, case-insensitive, text taken literally."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class CorrectionRule:
    heard: str
    corrected: str


class KeywordCorrector:
    """Compiled once per call; the first rule for a given word wins (business rules before global)."""

    def __init__(self, rules: Iterable[CorrectionRule]) -> None:
        self._replacements: dict[str, str] = {}
        for rule in rules:
            self._replacements.setdefault(rule.heard.lower(), rule.corrected)
        if self._replacements:
            # Longest first so "quogged up" wins over "quogged"; re.escape keeps "c++" or "a.b" literal.
            alternatives = sorted(self._replacements, key=len, reverse=True)
            self._pattern: re.Pattern[str] | None = re.compile(
                r"(?<!\w)(" + "|".join(re.escape(word) for word in alternatives) + r")(?!\w)", re.IGNORECASE
            )
        else:
            self._pattern = None

    def apply(self, text: str) -> str:
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda match: self._replacements[match.group(0).lower()], text)
