"""The guided planner's deterministic choice of a tool from the caller's words (the small CPU model is
not asked): "are you open?" → hours; "can I speak to Sam?" → transfer (or a message when the agent may
not transfer); "leave a message for Sam" → take_message; "book a visit" → book_visit, and the caller's
pick among the offered times → book_visit again with their choice. Patterns per language are data here."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from gpu_worker.conversation.planning.facts_answer import HOURS_QUESTION, NOW_QUESTION
from gpu_worker.conversation.planning.planner import ToolRequest

_I = re.IGNORECASE
NAME_WORDS = 4  # "Dana", "Dr Evans", "the accounts department", "Nicole in sales": longer is a name and more


@dataclass(frozen=True)
class ToolPatterns:
    person: re.Pattern[str]  # group "who": the person or department asked for
    message: re.Pattern[str]  # group "who"; the rest of the turn is the message
    message_lead: re.Pattern[str]  # words that lead into a message ("saying…", "tell her that…")
    booking: re.Pattern[str]
    choice: re.Pattern[str]  # a pick among offered times ("the second one", "10 AM works")
    weekdays: dict[str, str]


PATTERNS: dict[str, ToolPatterns] = {
    "en": ToolPatterns(
        person=re.compile(
            r"\b(?:(?:speak|talk) (?:to|with)|put me through to|transfer me to|connect me (?:to|with))\b", _I
        ),
        message=re.compile(
            r"(?:\b(?:leave|take|pass on|give) (?:a |this )?|\b)message (?:for|to) "
            r"(?P<who>[\w .'-]+?)(?:[,.:?!]|$|(?= (?:that|saying|to say|and|about|because|regarding) ))",
            _I,
        ),
        message_lead=re.compile(
            r"^(?:(?:and|saying|to say|that|tell (?:him|her|them)(?: that)?|let (?:him|her|them) know(?: that)?)"
            r"\b[\s,:]*)+",
            _I,
        ),
        booking=re.compile(r"\b(book|schedule|make|set up|arrange)\b.*\b(visit|appointment|booking|someone out)\b", _I),
        choice=re.compile(
            r"\b(first|second|third|that one|\d{1,2}(:\d\d)? ?(am|pm)?|works|sounds good|yes|yeah|sure|okay)\b", _I
        ),
        weekdays={
            "monday": "mon",
            "tuesday": "tue",
            "wednesday": "wed",
            "thursday": "thu",
            "friday": "fri",
            "saturday": "sat",
            "sunday": "sun",
        },
    ),
    "es": ToolPatterns(
        person=re.compile(r"\b(?:hablar con|pasarme con|p[aá]seme con|comunicarme con)", _I),
        message=re.compile(
            r"\b(?:dejar|tomar|dar) (?:un )?(?:mensaje|recado) (?:para|a) "
            r"(?P<who>[\w .'-]+?)(?:[,.:?!]|$|(?= (?:que|diciendo|y|sobre|porque) ))",
            _I,
        ),
        message_lead=re.compile(r"^(?:(?:y|diciendo|que|dile|d[ií]gale|para decirle)\b[\s,:]*)+", _I),
        booking=re.compile(r"\b(reservar|agendar|programar|pedir|concertar)\b.*\b(visita|cita)\b", _I),
        choice=re.compile(r"\b(primera|segunda|tercera|esa|a las \d{1,2}|s[ií]|vale|perfecto)\b", _I),
        weekdays={
            "lunes": "mon",
            "martes": "tue",
            "miércoles": "wed",
            "miercoles": "wed",
            "jueves": "thu",
            "viernes": "fri",
            "sábado": "sat",
            "sabado": "sat",
            "domingo": "sun",
        },
    ),
}
_WHO = re.compile(r"^(?:the |el |la |a )?(?P<who>[\w'-]+(?: [\w'-]+)?)", _I)
_TITLE_DOT = re.compile(r"\b(Dr|Mr|Mrs|Ms|Mx|Prof|Sr|Sra|Srta|Dra)\.", _I)  # "Dr. Evans": the dot ends no name
_POLITE = re.compile(r"\b(please|por favor|now|ahora|today|hoy)\b", _I)


class ToolRouter:
    """One per call. Its state: a booking offer awaiting the caller's pick, and a message asked for whose
    words are still to come ("a message for Dana" → "what would you like me to tell them?")."""

    def __init__(self, tools: Collection[str], *, message_form: bool = False) -> None:
        """`message_form`: the definition asks for a message's parts itself, so a turn after "a message for
        Dana" that answers its question is that answer ("Frank Castle"); one that does not, or that leads
        into a message ("saying…"), is the message."""
        self._tools = set(tools)
        self._message_form = message_form
        self.awaiting_choice = False
        self.awaiting_message_for = ""

    def route(self, text: str, language: str, *, answered: bool = False) -> ToolRequest | None:
        """`answered`: the turn answered the question the agent asked (then, with a message form, it is the
        message only when it leads into one)."""
        patterns = PATTERNS.get(language) or PATTERNS["en"]
        request = self._choose(text, language, patterns, answered=answered)
        if request is not None and request.name not in self._tools:
            request = self._instead(request)
        self.awaiting_choice = request is not None and "wish" in request.arguments  # times were offered
        bodiless = request is not None and request.name == "take_message" and "message" not in request.arguments
        self.awaiting_message_for = request.arguments["for_whom"] if request is not None and bodiless else ""
        return request

    def _choose(self, text: str, language: str, patterns: ToolPatterns, *, answered: bool) -> ToolRequest | None:
        if self.awaiting_choice and patterns.choice.search(text):
            return ToolRequest("book_visit", {"choice": text})
        if patterns.booking.search(text):
            return ToolRequest("book_visit", {"wish": text})
        untitled = _TITLE_DOT.sub(r"\1", text)
        if (message := patterns.message.search(untitled)) is not None:
            named, rest = _POLITE.sub("", message["who"]).strip(" ,."), untitled[message.end() :]
            if len(named.split()) > NAME_WORDS:  # "for Dana seeing the lease…" (a misheard "saying")
                named, rest = _split_name(named.split(), rest)
            return self._message(named, rest, patterns)
        if (person := patterns.person.search(text)) is not None:
            who = _WHO.match(_POLITE.sub("", text[person.end() :]).strip(" ,.?!"))
            if who is not None:
                return ToolRequest("transfer", {"to": who["who"]})
        if HOURS_QUESTION.search(text):
            return self._hours(text, patterns)
        continues = not (self._message_form and answered) or patterns.message_lead.match(text.strip())
        if self.awaiting_message_for and text.strip() and continues:
            return self._message(self.awaiting_message_for, text, patterns)
        return None

    def _message(self, who: str, said: str, patterns: ToolPatterns) -> ToolRequest:
        """A message for `who`; without "message" when the caller has not said it yet."""
        body = patterns.message_lead.sub("", said.strip(" ,.")).strip(" ,.")
        return ToolRequest("take_message", {"for_whom": who, "message": body} if body else {"for_whom": who})

    def _hours(self, text: str, patterns: ToolPatterns) -> ToolRequest:
        arguments = {"question": text}
        day = next((code for word, code in patterns.weekdays.items() if re.search(rf"\b{word}\b", text, _I)), None)
        if day is not None:
            arguments["day"] = day
        elif NOW_QUESTION.search(text):
            arguments["now"] = "true"
        return ToolRequest("hours", arguments)

    def _instead(self, request: ToolRequest) -> ToolRequest | None:
        """A tool the agent may not use: a transfer becomes a message when messages are allowed."""
        if request.name == "transfer" and "take_message" in self._tools:
            return ToolRequest("take_message", {"for_whom": request.arguments["to"], "message": "Please call back."})
        return None


def _split_name(words: list[str], rest: str) -> tuple[str, str]:
    """A name that runs on into the message: its capitalized words when it starts with one (Whisper writes
    names capitalized: "Dana seeing the…" → "Dana"), else its first two words."""
    capitalized = 0
    while capitalized < min(3, len(words)) and words[capitalized][:1].isupper():
        capitalized += 1
    keep = capitalized or 2
    return " ".join(words[:keep]), " ".join(words[keep:]) + rest
