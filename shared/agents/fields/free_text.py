"""Free text: the substance of what the caller said in answer, without fillers or other details; clock
times in it written one way ("5 a, to 11 p," → "5 AM–11 PM", clock_text.py)."""

from __future__ import annotations

import re

from shared.agents.fields.clock_text import clock_text
from shared.agents.fields.lexicons import Lexicon
from shared.agents.fields.names import extract_name

MAX_CHARS = 200
_FILLER = re.compile(
    r"^(?:(?:hi|hello|hey|yeah|yes|um+|uh+|so|well|oh|okay|ok|basically|i think|the reason i'm calling is|"
    r"i'm calling because|i'm calling about|i'm calling to|i'm calling|i was calling because|i need help with|"
    r"hola|sí|si|bueno|pues|eh+|mire|le llamo porque|llamo porque|llamo por|quería|quisiera)\b[\s,.!]*)+",
    re.IGNORECASE,
)


def extract_free_text(text: str, lex: Lexicon, *, answering: bool) -> str:
    """When the field was just asked: the reply's substantive clauses (a name said on the way is dropped);
    otherwise nothing — free text is only taken as an answer."""
    if not answering or text.rstrip().endswith("?"):
        return ""
    parts = re.split(r"(?<=[.!?;,])\s+", clock_text(text, lex))
    clauses = [lex.name_intro_then.sub("", _FILLER.sub("", part)).strip() for part in parts]
    kept = [c.strip(" ,.;") for c in clauses if c and not _only_a_name(c, lex) and len(c.split()) >= 2]
    joined = ", ".join(kept)
    if len(joined) <= MAX_CHARS:
        return joined
    return joined[:MAX_CHARS].rsplit(" ", 1)[0]


def _only_a_name(clause: str, lex: Lexicon) -> bool:
    """ "My name is Bob Smith": the clause introduces the caller and says nothing else."""
    name = extract_name(clause, lex, answering=False)
    return bool(name) and len(clause.split()) <= len(name.split()) + 3
