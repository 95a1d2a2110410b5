"""Word overlap between a question and a chunk, added to the embedding's similarity.

e5-small alone ranks a FAQ entry phrased as a question ("Do you work on weekends?") above the chunk
that holds the answer in other words, and scores unrelated questions ("Do you fix cars?") almost as
high as answered ones. How many of the question's content words the chunk contains separates both.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

LEXICAL_WEIGHT = 0.15  # the overlap (0..1) is worth this much cosine similarity
_WORD = re.compile(r"[^\W\d_]+")
_EN_STOPWORDS = """
a an the do does did you your yours we our us i my me is are was were be been can could would will should
of to in on at for from by and or it its that this these those what whats how when where which who why
with have has had any about there here they them their if so not no yes please just also get got much
many some need want know tell wondering wanted like ok okay hi hello thanks thank
"""
_ES_STOPWORDS = """
a al de del la el los las lo y o u en que qué un una unos unas es son por para con se su sus mi me le les
nos ustedes usted tienen tiene hay cómo como cuál cual cuándo cuando dónde donde quería saber gustaría
puede pueden hola gracias sí no
"""
STOPWORDS: Mapping[str, frozenset[str]] = {
    "en": frozenset(_EN_STOPWORDS.split()),
    "es": frozenset(_ES_STOPWORDS.split()),
}


def stems(text: str, language: str) -> set[str]:
    stop = STOPWORDS.get(language, STOPWORDS["en"])
    return {_stem(word) for word in _WORD.findall(text.lower()) if len(word) > 2 and word not in stop}


def _stem(word: str) -> str:
    """Crude, language-blind suffix stripping: 'areas' ~ 'area', 'heaters' ~ 'heater', 'cards' ~ 'card'."""
    for suffix in ("ing", "es", "s", "ed"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def overlap(question_stems: set[str], chunk_text: str, language: str) -> float:
    if not question_stems:
        return 0.0
    return len(question_stems & stems(chunk_text, language)) / len(question_stems)
