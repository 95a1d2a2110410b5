"""Which option of an `enum` field the caller's words imply (patterns from the definition, per language)."""

from __future__ import annotations

import re
from functools import cache

from shared.agents.definition import FieldSpec
from shared.agents.fields.lexicons import Lexicon


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def extract_option(spec: FieldSpec, text: str, lex: Lexicon, *, answering: bool) -> str | None:
    """The first option (in the definition's order) whose pattern matches un-negated words; when the
    field was just asked, the option's own label said as a word counts too."""
    for option in spec.options:
        patterns = [_compiled(p) for p in option.patterns.get(lex.language, [])]
        if answering and (label := option.label.get(lex.language)):
            patterns.append(_compiled(rf"(?<!\w){re.escape(label)}(?!\w)"))
        if any(_affirmed(pattern, text, lex) for pattern in patterns):
            return option.value
    return None


def _affirmed(pattern: re.Pattern[str], text: str, lex: Lexicon) -> bool:
    """A match not negated just before it ("it's not an emergency" does not say emergency)."""
    return any(not lex.negated_before.search(text[: match.start()]) for match in pattern.finditer(text))
