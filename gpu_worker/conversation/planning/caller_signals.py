"""What a caller turn says that is not a field's value: goodbye, "when/how much?", "I want to stop", a garbled number.

Patterns per language (a language without its own reads as English rather than failing mid-call).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_I = re.IGNORECASE


@dataclass(frozen=True)
class Signals:
    goodbye: re.Pattern[str]
    goodbye_at_end: re.Pattern[str]
    when_or_how_much: re.Pattern[str]
    stop: re.Pattern[str]  # outbound: the person wants the call to end
    who_is_calling: re.Pattern[str]
    vague: re.Pattern[str]  # "it depends", "sometimes": worth one follow-up
    message_for: re.Pattern[str]  # "can I leave a message for…", "can I speak to…": asks for someone
    wh_question: re.Pattern[str]  # "who handles billing?": a question, not a name


ENGLISH = Signals(
    goodbye=re.compile(
        r"\b(bye|goodbye|bye bye|i have to go|i've got to go|i got to go|i gotta go|gotta go|talk (to you )?later|"
        r"hang up now)\b",
        _I,
    ),
    goodbye_at_end=re.compile(
        r"\b(that's all|that is all|that's it|that's everything|see you)( thanks| thank you)?$", _I
    ),
    when_or_how_much=re.compile(
        r"\b(?:can (?:someone|somebody|you|they)|come (?:out|over|by)|how (?:much|soon|long)"
        r"|when (?:can|will|could|would)"
        r"|price|cost|charge|quote|today|tonight|tomorrow|(?:this|next) (?:morning|afternoon|evening|week)|no rush"
        r"|right away|asap)\b",
        _I,
    ),
    stop=re.compile(
        r"\b(not interested|stop calling|take me off|don't call|do not call|no time for this|i'm busy|we're busy|"
        r"don't have time|leave me alone|i'm going to hang up)\b",
        _I,
    ),
    who_is_calling=re.compile(r"\b(who(?:'s| is) (?:this|calling)|who are you|what company|is this a robot)\b", _I),
    vague=re.compile(r"\b(it depends|depends|sometimes|varies|it varies|kind of|sort of|maybe)\b", _I),
    message_for=re.compile(
        r"\b(leave (?:a )?message|pass (?:on )?a message|message (?:for|to)|speak (?:to|with)|talk (?:to|with)|reach"
        r"|get hold of)\b",
        _I,
    ),
    wh_question=re.compile(r"^\s*(which|what|where|when|how|why|who)\b", _I),
)
SPANISH = Signals(
    goodbye=re.compile(
        r"\b(adi[oó]s|chao|chau|hasta luego|hasta pronto|me tengo que ir|tengo que colgar|ya me voy)\b", _I
    ),
    goodbye_at_end=re.compile(r"\b(eso es todo|es todo|nada m[aá]s)( gracias| muchas gracias)?$", _I),
    when_or_how_much=re.compile(
        r"\b(?:cu[aá]nto (?:cuesta|cobran|sale|es)|cu[aá]ndo (?:pueden|puede|vienen|viene|llegan?)|pueden venir"
        r"|precio|costo|cobran?|cotizaci[oó]n|presupuesto|hoy|esta noche|ma[nñ]ana|(?:esta|la pr[oó]xima) semana"
        r"|sin prisa|lo antes posible|ahora mismo)\b",
        _I,
    ),
    stop=re.compile(
        r"\b(no me interesa|no (?:me )?llamen m[aá]s|no tengo tiempo|estoy ocupad[oa]|estamos ocupados"
        r"|voy a colgar)\b",
        _I,
    ),
    who_is_calling=re.compile(
        r"\b(qui[eé]n (?:habla|llama|es)|qu[eé] compa[nñ][ií]a|es un robot|es una m[aá]quina)\b", _I
    ),
    vague=re.compile(r"\b(depende|a veces|var[ií]a|m[aá]s o menos|tal vez|quiz[aá]s?)\b", _I),
    message_for=re.compile(
        r"\b(dejar (?:un )?(?:mensaje|recado)|(?:mensaje|recado) (?:para|a)|hablar con|comunicarme con"
        r"|pasar(?:le)? un mensaje|p[aá]seme con|pasarme con|ponerme en contacto con)\b",
        _I,
    ),
    wh_question=re.compile(r"^\s*¿?\s*(cu[aá]l|qu[eé]|d[oó]nde|cu[aá]ndo|c[oó]mo|por qu[eé]|qui[eé]n)\b", _I),
)
SIGNALS: dict[str, Signals] = {"en": ENGLISH, "es": SPANISH}


def signals_for(language: str) -> Signals:
    return SIGNALS.get(language, ENGLISH)


def _words(text: str) -> list[str]:
    return re.sub(r"[^a-z' ]+", " ", text.lower().replace("-", " ")).split()


def is_goodbye(text: str, language: str = "en") -> bool:
    """The caller is ending the call ("bye", "that's all, thanks", "I have to go")."""
    signals = signals_for(language)
    words = _words(text)
    spoken = " ".join(words)
    if signals.goodbye_at_end.search(spoken):
        return True
    match = signals.goodbye.search(spoken)
    return match is not None and (len(words) <= 8 or spoken.endswith(match.group(0)))


def asks_when_or_how_much(text: str, language: str = "en") -> bool:
    """A visit's time or price: only the business can promise those."""
    return bool(signals_for(language).when_or_how_much.search(text))


_ASKING = re.compile(
    r"(^|[.,!?]\s*)(what|when|where|how|do|does|are|is|can|could|will|would)\b"
    r"|\b(i was wondering|wondering (if|whether|what|when)|can you tell me|could you tell me"
    r"|do you (know|have|offer))\b",
    _I,
)


def is_question(text: str) -> bool:
    """The caller asked something (a question mark, or a sentence that opens like a question)."""
    stripped = text.strip()
    return "?" in stripped or bool(_ASKING.search(stripped))


def garbled_number(text: str) -> bool:
    """Digits were said but did not make a phone number (STT mangles spoken digits)."""
    return len(re.findall(r"\d", text)) >= 5
