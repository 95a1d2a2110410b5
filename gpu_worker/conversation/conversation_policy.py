"""What the receptionist does next, from the slots: a small LLM reply, a scripted line, or goodbye.

The LLM (Qwen 0.5B on CPU in the default) only phrases the next question; the policy decides what to
ask, says the safety line, the callback check, the readback and the goodbye itself, word for word.
Prompts keep a stable prefix for the KV cache: the system message never changes during a call and the
history is passed through untouched; per-turn state goes in the last user message only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from gpu_worker.conversation.call_slots import Asked, CallSlots, SlotName
from gpu_worker.conversation.spoken_lines import goodbye_line, readback_line, speakable_phone
from gpu_worker.conversation.spoken_phone_numbers import normalize_phone
from gpu_worker.conversation.urgency import Hazard, detect_hazard
from gpu_worker.models.stages import ChatMessage

Target = SlotName | Literal["callback_confirm", "readback", "correction"]

MAX_ASKS = 2  # a slot asked twice and still missing is skipped (the owner calls back anyway)
MAX_READBACKS = 3
RULES = (
    "You are the receptionist for {business}, speaking on a phone call. Reply in one or two short sentences. "
    "Ask one thing at a time. Never invent prices, times, appointments or facts about the business. "
    "No lists, no markdown, no emoji. Each caller message ends with a note in square brackets: follow it "
    "and never read it aloud."
)
SAFETY_LINES: dict[Hazard, str] = {
    "gas": "If you smell gas, please leave the house now and call your gas company or 911 from outside.",
    "water": "If you can, turn off the main water shut-off valve.",
    "sewage": "Please keep everyone away from the sewage and don't use the drains.",
    "carbon_monoxide": "Get everyone outside and call 911.",
    "freezing": "",
}
QUESTIONS: dict[Target, str] = {
    "problem": "What can we help you with today?",
    "name": "Could I get your name, please?",
    "address": "What's the address where you need the work done?",
    "callback": "What's the best number to reach you on?",
    "urgency": "How urgent is it? Is it an emergency, or can it wait a day or two?",
    "correction": "Sorry about that. What should I correct?",
    "readback": "Did I get those details right?",
    "callback_confirm": "Is the number you're calling from the best one to reach you?",
}
SLOT_LABELS: dict[SlotName, str] = {
    "problem": "problem",
    "name": "name",
    "address": "address",
    "callback": "callback number",
    "urgency": "urgency",
}


@dataclass(frozen=True)
class BusinessProfile:
    business_name: str
    system_prompt: str
    greeting: str
    caller_id: str
    mode: Literal["demo", "live"]


@dataclass(frozen=True)
class TurnPlan:
    kind: Literal["llm", "scripted", "end_call"]
    asked: Asked  # what this reply asks (fed back to update_slots next turn)
    messages: tuple[ChatMessage, ...] = ()  # for kind == "llm"
    text: str = ""  # scripted/end_call: exact words (end_call: speak, then hang up); llm: fallback line
    safety_line: str = ""  # spoken FIRST, when an emergency was just detected
    max_tokens: int = 60


class ConversationPolicy:
    """One per call: remembers what it asked and how often (so a stuck slot is not asked forever)."""

    def __init__(self, *, profile: BusinessProfile, scripted_questions: bool = False) -> None:
        """`scripted_questions`: when the caller just answered, ask the next question word for word (no LLM);
        the LLM then only handles off-script turns. For small models (Qwen 0.5B invents prices and numbers)."""
        self._profile = profile
        self._scripted = scripted_questions
        self._caller_id = normalize_phone(profile.caller_id)
        self._system = ChatMessage("system", _system_text(profile))
        self._asks: dict[Target, int] = {}
        self._last: Target | None = None

    def system_message(self) -> ChatMessage:
        return self._system

    def plan_turn(
        self, *, slots: CallSlots, previous: CallSlots, caller_text: str, history: Sequence[ChatMessage]
    ) -> TurnPlan:
        safety = _safety_line(slots, previous, caller_text)
        if slots.confirmed:
            return self._end(goodbye_line(slots, self._profile.business_name, caller_id=self._caller_id), safety)
        if is_goodbye(caller_text):
            return self._end(self._early_goodbye(slots), safety)
        target = self._next_target(slots)
        if target is None:
            return self._end(self._early_goodbye(slots), safety)
        answered = _answered(self._last, slots, previous)
        self._asks[target] = self._asks.get(target, 0) + 1
        self._last = target
        if target in ("callback_confirm", "readback"):
            return TurnPlan("scripted", target, text=self._scripted_question(target, slots), safety_line=safety)
        if self._scripted and (answered or _gave_details(slots, previous)):
            text = f"{_acknowledgement(slots, previous)} {QUESTIONS[target]}"
            return TurnPlan("scripted", _asked(target), text=text, safety_line=safety)
        if self._scripted and target == "callback" and _garbled_number(caller_text):
            # Digits were said but didn't make a phone number (Whisper mangles spoken digits): ask again.
            return TurnPlan("scripted", "callback", text=NUMBER_AGAIN, safety_line=safety)
        if self._scripted and asks_when_or_how_much(caller_text):
            # Only the business can promise a time or a price: say so, and carry on gathering.
            return TurnPlan(
                "scripted", _asked(target), text=f"{CALLBACK_PROMISE} {QUESTIONS[target]}", safety_line=safety
            )
        messages = self._messages(slots, target, caller_text, history, safety=bool(safety))
        asked: Asked = "readback" if target == "correction" else target
        return TurnPlan("llm", asked, messages=messages, text=QUESTIONS[target], safety_line=safety)

    def silence_prompt(self, *, slots: CallSlots, count: int) -> TurnPlan:
        """After a long silence: ask again once; the second time, say goodbye."""
        if count >= 2:
            return self._end(self._silence_goodbye(slots), "")
        target = self._last or self._next_target(slots) or "problem"
        return TurnPlan("scripted", _asked(target), text=f"Are you still there? {self._repeat_question(target)}")

    def transfer_plan(self) -> TurnPlan:
        """The caller pressed 0: no live transfer yet, so promise a call back and carry on."""
        line = TRANSFER_LINE
        if self._last is None or self._last == "readback":
            return TurnPlan("scripted", _asked(self._last) if self._last else None, text=line)
        return TurnPlan("scripted", _asked(self._last), text=f"{line} {self._repeat_question(self._last)}")

    def _next_target(self, slots: CallSlots) -> Target | None:
        for slot in slots.missing():
            target = self._slot_target(slot)
            if target is not None:
                return target
        if self._asks.get("readback", 0) + self._asks.get("correction", 0) >= MAX_READBACKS:
            return None
        return "correction" if slots.readback_done else "readback"

    def _slot_target(self, slot: SlotName) -> Target | None:
        if slot == "callback" and self._caller_id and not self._asks.get("callback_confirm"):
            return "callback_confirm"
        return slot if self._asks.get(slot, 0) < MAX_ASKS else None

    def _scripted_question(self, target: Target, slots: CallSlots) -> str:
        if target == "readback":
            return readback_line(slots, caller_id=self._caller_id)
        return self._repeat_question(target)

    def _repeat_question(self, target: Target) -> str:
        if target == "callback_confirm":
            ending = speakable_phone(self._caller_id[-4:])
            return f"Is the number you're calling from, ending in {ending}, the best one to reach you?"
        return QUESTIONS[target]

    def _messages(
        self, slots: CallSlots, target: Target, caller_text: str, history: Sequence[ChatMessage], *, safety: bool
    ) -> tuple[ChatMessage, ...]:
        past = tuple(message for message in history if message.role != "system")
        said = caller_text.strip() or "(silence)"
        instruction = f'Reply in one short sentence to what they said, then ask exactly: "{QUESTIONS[target]}"'
        note = state_note(slots, instruction, skipped=self._skipped(slots), safety_given=safety)
        return (self._system, *past, ChatMessage("user", f"{said}\n{note}"))

    def _skipped(self, slots: CallSlots) -> set[SlotName]:
        return {slot for slot in slots.missing() if self._slot_target(slot) is None}

    def _early_goodbye(self, slots: CallSlots) -> str:
        if not slots.missing():
            return goodbye_line(slots, self._profile.business_name, caller_id=self._caller_id)
        business = self._profile.business_name
        if slots.callback or self._caller_id:
            return f"No problem. {business} will call you back at this number as soon as possible. Goodbye."
        return f"No problem. Thanks for calling {business}. Goodbye."

    def _silence_goodbye(self, slots: CallSlots) -> str:
        business = self._profile.business_name
        if slots.callback or self._caller_id:
            return f"I can't hear you, so I'll let you go. {business} will call you back as soon as possible. Goodbye."
        return f"I can't hear you, so I'll let you go. Please call {business} back any time. Goodbye."

    def _end(self, text: str, safety: str) -> TurnPlan:
        return TurnPlan("end_call", None, text=text, safety_line=safety)


def state_note(slots: CallSlots, instruction: str, *, skipped: set[SlotName], safety_given: bool) -> str:
    """The compact per-turn note appended to the caller's words (never in the system message)."""
    known = [
        f"{label}={value}"
        for label, value in (
            ("problem", slots.problem),
            ("urgency", slots.urgency),
            ("name", slots.name),
            ("address", slots.address),
            ("callback", "yes" if slots.callback else ""),
        )
        if value
    ]
    missing = [SLOT_LABELS[slot] for slot in slots.missing() if slot not in skipped]
    parts = [f"Known: {'; '.join(known) or 'nothing yet'}.", f"Missing: {', '.join(missing) or 'nothing'}."]
    if safety_given:
        parts.append("Safety advice was just given; do not repeat it.")
    parts += [instruction, "Do not give prices, times, phone numbers or appointments."]
    return f"[{' '.join(parts)}]"


def _answered(last: Target | None, slots: CallSlots, previous: CallSlots) -> bool:
    """The caller's turn filled what was last asked (or, first, described the problem)."""
    slot = last if last in SLOT_LABELS else "problem" if last is None else None
    return slot is not None and getattr(slots, slot) != getattr(previous, slot) and bool(getattr(slots, slot))


CALLBACK_PROMISE = "We'll call you back to arrange the time and the price."
_WHEN_OR_HOW_MUCH = re.compile(
    r"\b(?:can (?:someone|somebody|you|they)|come (?:out|over|by)|how (?:much|soon|long)|when (?:can|will|could|would)"
    r"|price|cost|charge|quote|today|tonight|tomorrow|(?:this|next) (?:morning|afternoon|evening|week)|no rush"
    r"|right away|asap)\b",
    re.IGNORECASE,
)


NUMBER_AGAIN = "Sorry, I didn't catch the whole number. Could you say it again, slowly?"


def _garbled_number(text: str) -> bool:
    return len(re.findall(r"\d", text)) >= 5


def asks_when_or_how_much(text: str) -> bool:
    """The caller asked about a visit's time or price, which only the business can answer."""
    return bool(_WHEN_OR_HOW_MUCH.search(text))


def _gave_details(slots: CallSlots, previous: CallSlots) -> bool:
    """They told us something we were going to ask anyway (a name, the address, how urgent…)."""
    fields = ("name", "problem", "address", "callback", "urgency")
    return any(getattr(slots, field) and getattr(slots, field) != getattr(previous, field) for field in fields)


ACKNOWLEDGEMENTS = ("I'm sorry to hear that.", "Okay, I can help with that.", "Got it.")
TRANSFER_LINE = "Of course. I can't put you through right now, but I'll have someone call you back as soon as possible."


def fixed_lines() -> list[str]:
    """Lines the policy speaks word for word: the worker synthesizes them once, before any call."""
    return [
        *QUESTIONS.values(),
        *ACKNOWLEDGEMENTS,
        CALLBACK_PROMISE,
        TRANSFER_LINE,
        "Are you still there?",
        *SAFETY_LINES.values(),
    ]


def _acknowledgement(slots: CallSlots, previous: CallSlots) -> str:
    if slots.name and slots.name != previous.name:
        return f"Thanks, {slots.name.split()[0]}."
    if slots.problem and not previous.problem:
        return ACKNOWLEDGEMENTS[0] if slots.urgency in ("emergency", "soon") else ACKNOWLEDGEMENTS[1]
    return ACKNOWLEDGEMENTS[2]


def _asked(target: Target) -> Asked:
    return "readback" if target == "correction" else target


def _system_text(profile: BusinessProfile) -> str:
    rules = RULES.format(business=profile.business_name)
    prompt = profile.system_prompt.strip()
    return f"{prompt}\n\n{rules}" if prompt else rules


def _safety_line(slots: CallSlots, previous: CallSlots, caller_text: str) -> str:
    if slots.urgency != "emergency" or previous.urgency == "emergency":
        return ""
    return SAFETY_LINES.get(detect_hazard(caller_text) or detect_hazard(slots.problem), "")


# --- what the caller says that is not an answer ---------------------------------------------------------

BACKCHANNEL_WORDS = frozenset(
    {"ok", "okay", "k", "yeah", "yes", "yep", "yup", "ya", "mhm", "mmhm", "mmhmm", "mm", "hmm", "hm", "uh", "um"}
    | {"huh", "right", "sure", "alright", "gotcha", "cool"}
)
BACKCHANNEL_PAIRS = frozenset({("got", "it"), ("i", "see"), ("all", "right"), ("uh", "huh"), ("mm", "hm")})
GOODBYE = re.compile(
    r"\b(bye|goodbye|bye bye|i have to go|i've got to go|i got to go|i gotta go|gotta go|talk (to you )?later|"
    r"hang up now)\b"
)
GOODBYE_AT_END = re.compile(r"\b(that's all|that is all|that's it|that's everything|see you)( thanks| thank you)?$")


def _words(text: str) -> list[str]:
    return re.sub(r"[^a-z' ]+", " ", text.lower().replace("-", " ")).split()


def is_backchannel(text: str) -> bool:
    """Only listening noises ("mm-hm", "okay okay", "got it."): not a real interruption."""
    words = _words(text)
    index = 0
    while index < len(words):
        if tuple(words[index : index + 2]) in BACKCHANNEL_PAIRS:
            index += 2
        elif words[index] in BACKCHANNEL_WORDS:
            index += 1
        else:
            return False
    return bool(words)


def is_goodbye(text: str) -> bool:
    """The caller is ending the call ("bye", "that's all, thanks", "I have to go")."""
    words = _words(text)
    spoken = " ".join(words)
    if GOODBYE_AT_END.search(spoken):
        return True
    match = GOODBYE.search(spoken)
    return match is not None and (len(words) <= 8 or spoken.endswith(match.group(0)))
