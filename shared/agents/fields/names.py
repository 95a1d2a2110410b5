"""A person's name from what the caller said: "my name is Bob Smith", "this is Ana", or a bare answer."""

from __future__ import annotations

import re

from shared.agents.fields.lexicons import Lexicon

_NAME_WORD = re.compile(r"^[^\W\d_][\w'\-]*$", re.UNICODE)


def extract_name(text: str, lex: Lexicon, *, answering: bool) -> str:
    """The name if said; `answering`: the name was just asked, so a bare "Bob Smith" counts."""
    for match in lex.explicit_name.finditer(text):
        if words := _name_words(match.group(1), lex, need_capital=False):
            return _title(words)
    for match in lex.implicit_name.finditer(text):
        if words := _name_words(match.group(1), lex, need_capital=not answering):
            return _title(words)
    if answering:
        answer = re.split(r"[.!?,;]", lex.name_filler.sub("", text), maxsplit=1)[0].split()
        if answer and answer[-1].lower() in {"here", "aquí", "aqui"}:
            answer = answer[:-1]
        if 1 <= len(answer) <= 3 and all(_is_name_word(word, lex) for word in answer):
            return _title(answer)
    return ""


def _name_words(rest: str, lex: Lexicon, *, need_capital: bool) -> list[str]:
    words: list[str] = []
    for raw in rest.split()[:3]:
        word = raw.rstrip(".,!?;:")
        if not _is_name_word(word, lex) or (need_capital and not word[0].isupper()):
            break
        words.append(word)
        if word != raw:
            break
    return words


def _is_name_word(word: str, lex: Lexicon) -> bool:
    return bool(_NAME_WORD.match(word)) and word.lower() not in lex.common_words


def _title(words: list[str]) -> str:
    """ "bob o'neil" → "Bob O'neil", "jean-luc" → "Jean-Luc"; "McDonald" stays as said; accents kept."""
    return " ".join(
        word if not word.islower() else "-".join(p[:1].upper() + p[1:] for p in word.split("-")) for word in words
    )
