"""What the caller has told us so far, tracked by rules on each turn (fast and deterministic).

`update_slots` reads one caller turn (after STT and keyword corrections) and returns the new slots; it
knows what the previous reply asked (`asked`), so a bare "Bob Smith" counts as a name only when the name
was asked for. The LLM does the final extraction from the transcript after the call; these slots steer
the conversation (what to ask next, the readback, the safety line).
Phone numbers: spoken_phone_numbers.py. Urgency and hazards: urgency.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

from gpu_worker.conversation.spoken_phone_numbers import find_phone_number, normalize_phone
from gpu_worker.conversation.urgency import Urgency, detect_urgency, merge_urgency, urgency_answer

SlotName = Literal["name", "problem", "address", "callback", "urgency"]
Asked = SlotName | Literal["readback", "callback_confirm"] | None

__all__ = ["Asked", "CallSlots", "SlotName", "detect_urgency", "is_affirmative", "is_negative", "update_slots"]


@dataclass(frozen=True)
class CallSlots:
    name: str = ""
    problem: str = ""
    address: str = ""
    callback: str = ""  # E.164 or ""
    urgency: Urgency = ""
    callback_confirmed: bool = False
    readback_done: bool = False  # the caller answered the readback of the current details
    confirmed: bool = False  # ... and said they are right

    def missing(self) -> list[SlotName]:
        """Unfilled slots in asking order (urgency last, and only when nothing said implied it)."""
        order: list[tuple[SlotName, bool]] = [
            ("problem", bool(self.problem)),
            ("name", bool(self.name)),
            ("address", bool(self.address)),
            ("callback", bool(self.callback) and self.callback_confirmed),
            ("urgency", bool(self.urgency)),
        ]
        return [slot for slot, filled in order if not filled]

    def details(self) -> tuple[str, str, str, str]:
        """What the readback reads: a change here means the readback must be done again."""
        return (self.name, self.problem, self.address, self.callback)


def update_slots(slots: CallSlots, caller_text: str, *, caller_id: str, asked: Asked) -> CallSlots:
    """The slots after this caller turn (the caller's words as transcribed and corrected)."""
    text = " ".join(caller_text.split())
    if not text:
        return slots
    if asked == "readback":
        return _answer_readback(slots, text, caller_id=caller_id)
    return _fill(slots, text, caller_id=caller_id, asked=asked, overwrite=False)


def _answer_readback(slots: CallSlots, text: str, *, caller_id: str) -> CallSlots:
    negative = _hedged(text)
    corrected = _fill(slots, text, caller_id=caller_id, asked="readback", overwrite=True, problem=negative)
    if corrected.details() != slots.details():
        return replace(corrected, readback_done=False, confirmed=False)
    if negative:
        return replace(corrected, readback_done=True, confirmed=False)
    if is_affirmative(text):
        return replace(corrected, readback_done=True, confirmed=True)
    return corrected


def _fill(
    slots: CallSlots, text: str, *, caller_id: str, asked: Asked, overwrite: bool, problem: bool = True
) -> CallSlots:
    changes: dict[str, object] = {}
    found_problem = extract_problem(text, answering=asked == "problem") if problem else ""
    if found_problem and (overwrite or not slots.problem):
        changes["problem"] = found_problem
    name = extract_name(text, answering=asked == "name")
    if name and (overwrite or asked == "name" or not slots.name):
        changes["name"] = name
    phone = find_phone_number(text, caller_id=caller_id)
    if phone:
        changes["callback"], changes["callback_confirmed"] = phone, True
    elif (own := normalize_phone(caller_id)) and _means_this_number(text, asked):
        changes["callback"], changes["callback_confirmed"] = own, True
    address = extract_address(text, answering=asked == "address" and not phone)
    if address and (overwrite or asked == "address" or not slots.address):
        changes["address"] = address
    heard = detect_urgency(text) or (urgency_answer(text) if asked == "urgency" else "")
    changes["urgency"] = merge_urgency(slots.urgency, heard, answered=asked == "urgency")
    return replace(slots, **changes)  # type: ignore[arg-type]


def _means_this_number(text: str, asked: Asked) -> bool:
    if _THIS_NUMBER.search(text):
        return True
    return asked == "callback_confirm" and is_affirmative(text) and not _hedged(text)


def _hedged(text: str) -> bool:
    """A no, or a yes with a "but" ("yes but use my cell instead")."""
    return is_negative(text) or bool(re.search(r"\bbut\b", text, re.IGNORECASE))


# --- yes / no -----------------------------------------------------------------------------------------

_AFFIRMATIVE = re.compile(
    r"\b(yes|yeah|yep|yup|yea|ya|sure|correct|right|exactly|perfect|absolutely|definitely|ok|okay|"
    r"uh[- ]?huh|mm[- ]?hm+|that works|sounds good|looks good|fine|good|please do|go ahead|all good)\b",
    re.IGNORECASE,
)
_NEGATIVE = re.compile(
    r"\b(no|nope|nah|wrong|incorrect|not (right|correct|quite|it)|isn't right|actually|wait|change|hold on|"
    r"instead|different|another)\b",
    re.IGNORECASE,
)
_NOT_NEGATIVE = re.compile(r"\bno (problem|worries)\b|\bnot a problem\b", re.IGNORECASE)
_THIS_NUMBER = re.compile(
    r"\b(this|same|the same|this phone) (number|phone)\b|\bnumber (i'?m|i am) calling (from|on)\b"
    r"|\bcalling from\b|\bnumber you (have|see|got)\b",
    re.IGNORECASE,
)


def is_affirmative(text: str) -> bool:
    return bool(_AFFIRMATIVE.search(text))


def is_negative(text: str) -> bool:
    return bool(_NEGATIVE.search(_NOT_NEGATIVE.sub(" ", text)))


# --- names --------------------------------------------------------------------------------------------

_COMMON_WORDS_TEXT = """a an the and or but so if at in on of to for from with by about as up out off over
    into here there
    this that these those it its it's i i'm me my mine we our us you your he she they them his her their
    is am are was were be been being do does did have has had having would can could should might
    must not no yes yeah yep ok okay sure well just really very still also too only even again now then
    calling call called worried afraid sorry glad happy good fine great hoping trying looking going getting
    having wondering ringing phoning home back away done ready new old here's there's what who where when
    why how which because hi hello hey um uh er oh thanks thank please help need needs want wants like
    leaking leak burst flooding flooded clogged broken water pipe pipes toilet sink drain heater gas smell
    problem issue emergency urgent plumber plumbing kitchen bathroom basement house home apartment
    monday tuesday wednesday thursday friday saturday sunday today tomorrow tonight morning afternoon
    evening january february march july august september october november december
    street st avenue ave road rd lane drive dr court way boulevard blvd place number phone name"""
COMMON_WORDS = frozenset(_COMMON_WORDS_TEXT.split())
_EXPLICIT_NAME = re.compile(r"\b(?:my name is|my name's|name's|name is|call me)\s+(.+)", re.IGNORECASE)
_IMPLICIT_NAME = re.compile(r"\b(?:this is|i'm|i am|it's|it is)\s+(.+)", re.IGNORECASE)
_NAME_WORD = re.compile(r"^[A-Za-z][A-Za-z'\-]*$")
_LEAD_FILLER = re.compile(
    r"^(?:(?:yeah|yes|yep|sure|ok|okay|um+|uh+|er|hi|hello|hey|so|well|oh|it's|it is|this is|my name is|"
    r"my name's|name's|i'm|i am|call me)\b[\s,.!]*)+",
    re.IGNORECASE,
)


def extract_name(text: str, *, answering: bool) -> str:
    """The caller's name if they said it; `answering`: the name was just asked, so a bare name counts."""
    for match in _EXPLICIT_NAME.finditer(text):
        if words := _name_words(match.group(1), need_capital=False):
            return _title(words)
    for match in _IMPLICIT_NAME.finditer(text):
        if words := _name_words(match.group(1), need_capital=not answering):
            return _title(words)
    if answering:
        answer = re.split(r"[.!?,;]", _LEAD_FILLER.sub("", text), maxsplit=1)[0].split()
        if answer and answer[-1].lower() == "here":
            answer = answer[:-1]
        if 1 <= len(answer) <= 3 and all(_is_name_word(word) for word in answer):
            return _title(answer)
    return ""


def _name_words(rest: str, *, need_capital: bool) -> list[str]:
    words: list[str] = []
    for raw in rest.split()[:3]:
        word = raw.rstrip(".,!?;:")
        if not _is_name_word(word) or (need_capital and not word[0].isupper()):
            break
        words.append(word)
        if word != raw:
            break
    return words


def _is_name_word(word: str) -> bool:
    return bool(_NAME_WORD.match(word)) and word.lower() not in COMMON_WORDS


def _title(words: list[str]) -> str:
    """ "bob o'neil" → "Bob O'neil", "jean-luc" → "Jean-Luc"; "McDonald" stays as said."""
    return " ".join(
        word if not word.islower() else "-".join(p[:1].upper() + p[1:] for p in word.split("-")) for word in words
    )


# --- address ------------------------------------------------------------------------------------------

_SUFFIX = (
    r"(?i:street|st|avenue|ave|road|rd|lane|ln|drive|dr|boulevard|blvd|parkway|pkwy|highway|hwy|terrace|"
    r"crescent)|(?:Court|Ct|Way|Place|Pl|Circle|Cir|Trail|Close|Square|Loop|Row|Path|Pike|Alley)"
)
_ADDRESS = re.compile(
    rf"\b(\d{{1,6}}[A-Za-z]?)\s+((?:[A-Za-z0-9'.\-]+\s+){{1,4}}?)({_SUFFIX})\b\.?"
    r"((?:,?\s*(?i:apt|apartment|unit|suite|#)\.?\s*[A-Za-z0-9\-]+)?"
    r"(?:(?:,\s*|\s+in\s+)[A-Z][a-z]+(?:\s[A-Z][a-z]+)?)?)"
)
_ADDRESS_LEAD = re.compile(
    r"^(?:(?:yeah|yes|sure|ok|okay|um+|uh+|so|well|it's|it is|the address is|address is|my address is|"
    r"i'm at|i am at|we're at|we are at|i live at|we live at|at)\b[\s,.!]*)+",
    re.IGNORECASE,
)


def extract_address(text: str, *, answering: bool) -> str:
    """A street address ("12 Oak Street, Apt 4, Springfield"); when `answering`, any reply with a number."""
    for match in _ADDRESS.finditer(text):
        between = match.group(2).split()
        if not any(word.lower() in COMMON_WORDS - _STREET_WORDS for word in between):
            return _tidy(match.group(0))
    if answering:
        answer = re.split(r"(?<=[a-z])[.!?](?:\s|$)", _ADDRESS_LEAD.sub("", text), maxsplit=1)[0]
        if re.search(r"\d", answer):
            return _tidy(answer)[:100]
    return ""


_STREET_WORDS = frozenset({"old", "new", "street", "avenue", "road", "lane"})


def _tidy(text: str) -> str:
    return text.strip(" ,.;:!?")


# --- problem ------------------------------------------------------------------------------------------

PROBLEM_WORDS = re.compile(
    r"\b(leak\w*|burst\w*|clog\w*|block(ed|age)|back(ed|ing)? up|drain\w*|toilet\w*|water heater|hot water|"
    r"pipes?|flood\w*|sewage|sewer|gas|faucet\w*|taps?|sump pump|overflow\w*|drip\w*|no water|"
    r"water pressure|shower|sink|disposal|boiler|furnace|no heat|heating|radiator|carbon monoxide|"
    r"water everywhere|frozen|freez\w*|install\w*|replace\w*|quote|estimate|repair\w*|fix\w*|"
    r"not working|won't flush|broken|running)\b",
    re.IGNORECASE,
)
_PROBLEM_LEAD = re.compile(
    r"^(?:(?:hi|hello|hey|yeah|yes|um+|uh+|so|well|oh|okay|ok|basically|i think|the reason i'm calling is|"
    r"i'm calling because|i'm calling about|i'm calling since|i'm calling to say|i'm calling to report|"
    r"i'm calling|i was calling because|i need help with|i need help)\b[\s,.!]*)+",
    re.IGNORECASE,
)
_NAME_INTRO = re.compile(r"^(?:my name is|my name's|name's|this is)\s+(?:[A-Za-z'\-]+\s+){1,3}?and\s+", re.IGNORECASE)
MAX_PROBLEM_CHARS = 120


def extract_problem(text: str, *, answering: bool) -> str:
    """The clause(s) describing the issue, concise; when `answering`, any substantive reply."""
    parts = re.split(r"[.!?;,]\s*", text)
    clauses = [_NAME_INTRO.sub("", _PROBLEM_LEAD.sub("", part)).strip() for part in parts]
    clauses = [clause for clause in clauses if clause]
    picked = [clause for clause in clauses if PROBLEM_WORDS.search(clause)]
    if picked:
        problem = picked[0]
        for extra in picked[1:]:
            if len(problem) + len(extra) + 2 > MAX_PROBLEM_CHARS:
                break
            problem = f"{problem}, {extra}"
        return _shorten(problem)
    if answering and not text.rstrip().endswith("?"):
        substantive = [clause for clause in clauses if len(clause.split()) >= 2]
        return _shorten(substantive[0]) if substantive else ""
    return ""


def _shorten(text: str) -> str:
    if len(text) <= MAX_PROBLEM_CHARS:
        return text
    return text[:MAX_PROBLEM_CHARS].rsplit(" ", 1)[0]
