"""A cheap detector of a caller question that the business's documents might answer.

Cue words and phrases per language are data; requests for the caller's own job ("can you send
someone", "could you come today") are not questions for the documents, they are the call's purpose.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class QuestionCues:
    openers: tuple[str, ...]  # a sentence starting with one of these words asks something
    phrases: tuple[str, ...]  # "I wanted to know", anywhere in the turn
    requests: tuple[str, ...]  # regexes of requests for service, not questions
    fillers: tuple[str, ...]  # words a question may start with before its opener ("and how much...")


CUES: Mapping[str, QuestionCues] = {
    "en": QuestionCues(
        openers=(
            "what",
            "what's",
            "whats",
            "where",
            "when",
            "which",
            "who",
            "why",
            "how",
            "how's",
            "do",
            "does",
            "did",
            "are",
            "is",
            "can",
            "could",
            "will",
            "would",
            "should",
            "may",
            "have",
            "has",
            "any",
        ),
        phrases=(
            "i wanted to know",
            "i want to know",
            "i'd like to know",
            "i would like to know",
            "i was wondering",
            "wondering if",
            "wondering whether",
            "can you tell me",
            "could you tell me",
            "tell me about",
            "do you know",
            "i have a question",
            "quick question",
        ),
        requests=(
            r"^(can|could|would|will) you (please )?(send|come|get|have|call|book|schedule|help me|fix my|look at)\b",
            r"^(is|are) (you|they|someone|somebody|anyone|anybody) (still )?there\b",
            r"^(can|could) you hear me\b",
        ),
        fillers=("and", "so", "also", "but", "oh", "okay", "ok", "um", "uh", "well", "yeah", "hi", "hello", "then"),
    ),
    "es": QuestionCues(
        openers=(
            "qué",
            "que",
            "dónde",
            "donde",
            "cuándo",
            "cuando",
            "cuánto",
            "cuanto",
            "cuánta",
            "cuántos",
            "cómo",
            "como",
            "cuál",
            "cual",
            "quién",
            "quien",
            "por qué",
            "tienen",
            "hacen",
            "trabajan",
            "aceptan",
            "atienden",
            "cubren",
            "pueden",
            "puede",
            "hay",
            "es",
            "son",
            "está",
            "están",
        ),
        phrases=(
            "quería saber",
            "queria saber",
            "quisiera saber",
            "me gustaría saber",
            "me gustaria saber",
            "una pregunta",
            "me puede decir",
            "me pueden decir",
            "sabe si",
            "saben si",
        ),
        requests=(
            r"^(pueden|puede|podrían|podría) (mandar|enviar|venir|llamar|arreglar|reparar)\b",
            r"^(me|nos) (oye|oyen|escucha|escuchan)\b",
        ),
        fillers=("y", "pues", "bueno", "oiga", "entonces", "también", "hola", "este", "eh"),
    ),
}


def is_question(text: str, language: str = "en") -> bool:
    """True for "Do you work on tankless heaters?", "I wanted to know your hours", "¿Qué zonas cubren?"."""
    cues = CUES.get(language, CUES["en"])
    lowered = " ".join(text.lower().split())
    if len(lowered) < 4:
        return False
    sentences = [s.strip(" ,¿¡\"'") for s in re.split(r"(?<=[.!?])\s+", lowered) if s.strip(" ,¿¡\"'")]
    for sentence in sentences:
        if any(re.search(pattern, sentence) for pattern in cues.requests):
            continue
        if "?" in sentence or any(phrase in sentence for phrase in cues.phrases):
            return True
        words = sentence.replace(",", " ").split()
        while words and words[0] in cues.fillers:
            words = words[1:]
        opener = " ".join(words[:2]) if words[:2] == ["por", "qué"] else (words[0] if words else "")
        if opener in cues.openers and len(words) >= 3:
            return True
    return False
