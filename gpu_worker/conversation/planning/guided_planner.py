"""The guided planner: rules choose the next field of the definition and say its lines word for word.

For small models (Qwen 0.5B on CPU invents prices and refuses): questions, safety lines, the read-back
and the goodbye come from the definition as written; questions about hours, prices, the service area and
policies are answered from its facts by rule; only an off-script turn nothing else answers goes to the
LLM, prompted with the facts, and is followed by the next question word for word.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from gpu_worker.conversation.planning import caller_signals as signals
from gpu_worker.conversation.planning.call_fields import CallFields
from gpu_worker.conversation.planning.facts_answer import FactsAnswer
from gpu_worker.conversation.planning.field_reading import FieldContext, is_no, is_yes, normalize_phone
from gpu_worker.conversation.planning.planner import FieldState, Planner, ReplyPlan, ToolRequest
from gpu_worker.conversation.planning.spoken_composition import CallLines
from gpu_worker.conversation.planning.tool_routing import ToolRouter
from gpu_worker.conversation.planning.turn_reading import CALLER_ID, read_corrections, read_last_answer, read_turn
from gpu_worker.conversation.reply_guard import AllowedFacts, unsafe_claim
from gpu_worker.models.stages import ChatMessage
from gpu_worker.tools.message_form import form_fields
from gpu_worker.tools.tool_lines import tool_line
from shared.agents.definition import AgentDefinition, FieldKind, text_for

MAX_ASKS = 2  # a required field asked twice and still missing is skipped (the business calls back anyway)
MAX_READBACKS = 3
MISHEARD_WORDS = 4
READBACK = "readback"
CORRECTION = "correction"
_NOT_A_NO = re.compile(r"\bno (rush|hurry|problem|worries)\b|\bno,? (that's|thats|it's) (right|correct|fine)\b", re.I)
RULES = (
    "Speak as on a phone call: one or two short sentences, no lists, no markdown. Answer only from the facts "
    "below; if they do not say, say the business will call back about it. Never invent prices, times, "
    "appointments or facts. Do not ask the caller a question."
)


MAX_SAFETY_REPEATS = 2  # a cut safety line is said again at most this often


class GuidedPlanner:
    def __init__(
        self, definition: AgentDefinition, *, business: str, caller_id: str, now: Callable[[], datetime]
    ) -> None:
        self._definition = definition
        self._business = business
        self._caller_id = normalize_phone(caller_id) if caller_id else ""
        self._now = now
        self._lines = CallLines(definition, business=business, caller_id=self._caller_id)
        self._facts = FactsAnswer(definition)
        self._allowed = AllowedFacts(
            amounts=frozenset(self._facts.allowed_amounts()),
            times=frozenset(self._facts.allowed_times()),
            appointments="book_visit" in definition.tools,
        )
        self._fields = CallFields(definition)
        tools = [t for t in definition.tools if t != "hours" or definition.facts.hours]
        self._router = ToolRouter(tools, message_form=bool(form_fields(definition)))
        self._language = definition.default_language
        self._history: list[ChatMessage] = []
        self._readbacks = 0
        self._ended = False

    # --- the Planner Protocol -------------------------------------------------------------------------

    def opening(self) -> ReplyPlan:
        language = self._language
        greeting = self._lines.fill(self._text(self._definition.greeting, language), self._fields)
        # A recorded call says so before anything else the caller could answer (consent laws).
        notice = self._lines.line("recording_notice", language, self._fields) if self._definition.record_calls else ""
        outbound = self._definition.outbound
        if outbound is None:
            self._fields.last_asked = self._definition.fields[0].name  # "How can I help?" asks the first field
            return self._scripted([notice, greeting])
        disclosure = self._lines.fill(self._text(outbound.disclosure, language), self._fields)
        target = self._next_target()
        question = self._ask(target, language) if target else ""
        return self._scripted([disclosure, notice, greeting, question])

    async def plan(self, caller_text: str, *, language: str) -> ReplyPlan:
        self._language = language
        text = " ".join(caller_text.split())
        self._history.append(ChatMessage("user", text or "(silence)"))
        lines = list(self._fields.unheard_safety)
        self._fields.unheard_safety.clear()
        lines += self._safety(text, language)
        if not text:
            return self._scripted([*lines, self._repeat(language)])
        if self._fields.last_asked in (READBACK, CORRECTION):
            return self._answer_readback(text, language, lines)
        if signals.is_goodbye(text, language) or self._wants_to_stop(text, language):
            read_last_answer(self._fields, text, self._context(language))  # "yes, but I have to go": the yes counts
            return self._goodbye(language, lines, early=True)
        changed = read_turn(self._fields, text, self._context(language))
        return self._next(text, language, lines, changed)

    def heard(self, plan: ReplyPlan, heard_text: str, *, complete: bool) -> None:
        if heard_text:
            self._history.append(ChatMessage("assistant", heard_text))
        if complete:
            return
        safety_lines = {self._text(rule.line, self._language) for rule in self._definition.safety}
        fields = self._fields
        for line in plan.lines:
            cut = line in safety_lines and line not in heard_text and line not in fields.unheard_safety
            # Said again in full; a caller who talks over it every time is not held in a loop by it.
            if cut and fields.safety_repeats.get(line, 0) < MAX_SAFETY_REPEATS:
                fields.safety_repeats[line] = fields.safety_repeats.get(line, 0) + 1
                fields.unheard_safety.append(line)

    def silence(self, count: int) -> ReplyPlan:
        language = self._language
        if count >= 2:
            return self._end([self._lines.line("silence_goodbye", language, self._fields)])
        return self._scripted([self._lines.line("still_there", language, self._fields), self._repeat(language)])

    def keypad(self, digit: str) -> ReplyPlan:
        language = self._language
        if digit != "0":
            return self._scripted([self._repeat(language)])
        return self._scripted(
            [self._lines.line("transfer_unavailable", language, self._fields), self._repeat(language)]
        )

    def snapshot(self) -> FieldState:
        return self._fields.snapshot(self._language, complete=self._complete())

    def fixed_lines(self, language: str) -> list[str]:
        fields = CallFields(self._definition)
        lines = [self._text(spec.question, language) for spec in self._definition.fields]
        lines += [self._text(rule.line, language) for rule in self._definition.safety]
        purposes: tuple[str, ...] = (
            "acknowledgement",
            "sympathy",
            "can_help",
            "still_there",
            "callback_promise",
            "number_again",
        )
        purposes += ("readback_question", "correction", "transfer_unavailable", "not_understood", "follow_up")
        lines += [self._lines.line(purpose, language, fields) for purpose in purposes]
        if self._definition.facts.hours is not None:
            lines.append(self._facts.hours_answer(self._definition.facts.hours, language, self._now(), about_now=False))
        if self._definition.photos is not None:
            lines.append(self._lines.line("photo_link", language, fields))
        if self._definition.tools:  # the hold and failure lines play from the cache, not after a synthesis
            lines += [tool_line(self._definition, name, language) for name in ("one_moment", "tool_failed")]
        if "take_message" in self._definition.tools:
            lines.append(tool_line(self._definition, "message_what", language))
        return [line for line in dict.fromkeys(lines) if line and "{" not in line]

    def call_lines(self, language: str) -> list[str]:
        specs = self._definition.fields
        if not (self._caller_id and any(spec.kind == FieldKind.PHONE and spec.confirm_caller_id for spec in specs)):
            return []
        return [self._lines.line("confirm_caller_id", language, CallFields(self._definition))]

    def allows(self, clause: str) -> bool:
        """The guard, and no question of its own: the definition's next question follows the LLM's words."""
        return self.guard_allows(clause) and not clause.rstrip().endswith("?")

    def guard_allows(self, clause: str) -> bool:
        """The reply guard with this definition's facts allowed."""
        return not unsafe_claim(clause, self._allowed)

    def fork(self) -> Planner:
        twin = copy.copy(self)
        twin._fields = self._fields.copy()
        twin._history = list(self._history)
        twin._router = copy.copy(self._router)
        return twin

    @property
    def fields(self) -> CallFields:
        return self._fields

    @property
    def history(self) -> list[ChatMessage]:
        return self._history

    def complete(self) -> bool:
        """The definition's `complete_when` is met."""
        return self._complete()

    def context(self, language: str) -> FieldContext:
        return self._context(language)

    def goodbye_text(self, language: str) -> str:
        return self._lines.goodbye(language, self._fields)

    def system_message(self, language: str) -> ChatMessage:
        return self._system(language)

    def _safety(self, text: str, language: str) -> list[str]:
        lines: list[str] = []
        for rule in self._definition.safety:
            patterns = rule.patterns.get(language) or rule.patterns.get(self._definition.default_language) or []
            if rule.name in self._fields.safety_said or not any(re.search(p, text, re.IGNORECASE) for p in patterns):
                continue
            self._fields.safety_said.add(rule.name)
            for name, value in rule.sets.items():
                spec = self._definition.field(name)
                label = next((self._text(o.label, language) for o in spec.options if o.value == value), value)
                self._fields.set(name, value, label, "extracted")
            if not lines:  # one safety line a turn: the most important rule is listed first
                lines.append(self._text(rule.line, language))
        return lines

    # --- choosing the reply -----------------------------------------------------------------------------

    def _next(self, text: str, language: str, lines: list[str], changed: set[str]) -> ReplyPlan:
        if self._definition.outbound is not None:
            special = self._outbound_turn(text, language, lines, changed)
            if special is not None:
                return special
        target = self._next_target()
        if target is None:
            return self._goodbye(language, lines, early=False)
        facts = self._facts_for(text, language)
        routed = self._router.route(text, language, answered=bool(changed)) if target != READBACK else None
        if routed is not None:
            return self._tool(routed, facts, language, lines, target)
        if target == READBACK:
            return self._scripted([*lines, *([facts] if facts else []), self._ask(target, language)], asked=target)
        question = self._ask(target, language)
        if facts:
            return self._scripted([*lines, facts, question], asked=target)
        if changed:
            return self._scripted([*lines, self._acknowledgement(changed, language), question], asked=target)
        if self._is_phone(target) and signals.garbled_number(text):
            return self._scripted([*lines, self._lines.line("number_again", language, self._fields)], asked=target)
        if signals.asks_when_or_how_much(text, language):
            arrange = self._lines.line("callback_promise", language, self._fields)
            return self._scripted([*lines, arrange, question], asked=target)
        if self._definition.outbound is not None and not signals.is_question(text):
            return self._scripted([*lines, self._lines.line("not_understood", language, self._fields)], asked=target)
        if self._short_non_answer(text, target):
            acknowledgement = self._lines.line("acknowledgement", language, self._fields)
            return self._scripted([*lines, acknowledgement, question], asked=target)
        return self._llm(text, language, lines, question, target)

    def _short_non_answer(self, text: str, target: str) -> bool:
        """A few words, no question, that do not answer the question just asked ("It's a gas furnace." to "May I
        have your name?", or a misheard "is prayer shah."): the question again, never the model's answer to
        words that may not mean what it takes them to (it read out prices, and explained a prayer)."""
        just_asked = target == self._fields.last_asked and self._fields.asked(target) > 0  # not the greeting
        return just_asked and "?" not in text and len(text.split()) <= MISHEARD_WORDS

    def _outbound_turn(self, text: str, language: str, lines: list[str], changed: set[str]) -> ReplyPlan | None:
        """Outbound: who is calling gets the disclosure again; a vague answer gets one follow-up."""
        outbound, said = self._definition.outbound, signals.signals_for(language)
        asked = self._fields.last_asked
        if outbound is None or asked is None:
            return None
        first = self._definition.fields[0]
        refused_identity = asked == first.name in changed and self._fields.value(asked) == "no"
        if refused_identity and first.kind == FieldKind.YES_NO and "wrong_person" in self._definition.lines:
            # not the person the call is for: end politely
            return self._end([*lines, self._lines.line("wrong_person", language, self._fields)])
        if said.who_is_calling.search(text):
            disclosure = self._lines.fill(self._text(outbound.disclosure, language), self._fields)
            return self._scripted([*lines, disclosure, self._repeat(language)], asked=asked)
        vague = asked in changed and said.vague.search(text) and len(text.split()) <= 6
        if vague and self._fields.follow_ups.get(asked, 0) < outbound.max_follow_ups:
            self._fields.follow_ups[asked] = self._fields.follow_ups.get(asked, 0) + 1
            return self._scripted([*lines, self._lines.line("follow_up", language, self._fields)], asked=asked)
        return None

    def _facts_for(self, text: str, language: str) -> str:
        if not signals.is_question(text):
            return ""
        return self._lines.fill(self._facts.answer(text, language=language, now=self._now()), self._fields)

    def _next_target(self) -> str | None:
        fields = self._fields
        specs = sorted(self._definition.fields, key=lambda spec: spec.ask_last)
        for spec in specs:
            if fields.slots[spec.name].settled:
                continue
            check = f"{CALLER_ID}:{spec.name}"
            if spec.kind == FieldKind.PHONE and spec.confirm_caller_id and self._caller_id and not fields.asked(check):
                return check
            if fields.asked(spec.name) < (MAX_ASKS if spec.required else 1):
                return spec.name
        if self._wants_read_back() and self._readbacks < MAX_READBACKS and not fields.confirmed:
            return READBACK
        return None

    def _ask(self, target: str, language: str) -> str:
        self._fields.note_asked(target)
        if target == READBACK:
            self._readbacks += 1
            return self._lines.read_back(language, self._fields)
        if target.startswith(CALLER_ID):
            return self._lines.line("confirm_caller_id", language, self._fields)
        return self._text(self._definition.field(target).question, language)

    def _repeat(self, language: str) -> str:
        last = self._fields.last_asked
        if last is None or last == CORRECTION:
            return self._lines.line("not_understood", language, self._fields)
        if last == READBACK:
            return self._lines.read_back(language, self._fields)
        if last.startswith(CALLER_ID):
            return self._lines.line("confirm_caller_id", language, self._fields)
        return self._text(self._definition.field(last).question, language)

    def _answer_readback(self, text: str, language: str, lines: list[str]) -> ReplyPlan:
        fields = self._fields
        said = _NOT_A_NO.sub(" ", text)
        no = is_no(said, language) or bool(re.search(r"\bbut\b", said, re.IGNORECASE))
        yes = is_yes(said, language) and not no
        overwrite = fields.last_asked == CORRECTION and not yes
        corrected = read_corrections(fields, text, self._context(language), overwrite_text=overwrite)
        if any(self._definition.field(name).read_back for name in corrected):
            return self._next(text, language, lines, corrected)
        if no:
            fields.note_asked(CORRECTION)
            return self._scripted([*lines, self._lines.line("correction", language, fields)], asked=CORRECTION)
        if yes or signals.is_goodbye(text, language):
            fields.confirmed = True
            for spec in self._definition.fields:
                if spec.read_back and fields.slots[spec.name].value:
                    fields.slots[spec.name].status = "confirmed"
            return self._goodbye(language, lines, early=False)
        facts = self._facts_for(text, language)
        if fields.last_asked == CORRECTION:
            return self._scripted([*lines, facts, self._lines.line("correction", language, fields)], asked=CORRECTION)
        return self._scripted([*lines, facts, self._repeat(language)], asked=READBACK)

    def _goodbye(self, language: str, lines: list[str], *, early: bool) -> ReplyPlan:
        if self._complete() or not early:
            return self._end([*lines, self._lines.goodbye(language, self._fields)])
        return self._end([*lines, self._lines.line("early_goodbye", language, self._fields)])

    def _complete(self) -> bool:
        fields = self._fields
        if self._definition.closing.complete_when == "caller":
            return False
        settled = all(fields.slots[s.name].settled for s in self._definition.fields if s.required)
        if self._definition.closing.complete_when == "goal":
            return all(fields.slots[s.name].settled for s in self._definition.fields)
        return settled and (fields.confirmed or not self._wants_read_back())

    def _wants_read_back(self) -> bool:
        return self._definition.closing.read_back and any(
            spec.read_back and self._fields.slots[spec.name].value for spec in self._definition.fields
        )

    def _acknowledgement(self, changed: set[str], language: str) -> str:
        if any(self._fields.slots[name].status == "refused" for name in changed):
            return self._lines.line("refused", language, self._fields)
        for name in changed:
            if self._definition.field(name).kind == FieldKind.PERSON_NAME:
                return self._lines.line("thanks_name", language, self._fields)
        first = self._definition.fields[0].name
        if first in changed and self._definition.outbound is None:
            return self._lines.line("sympathy" if self._pressing() else "can_help", language, self._fields)
        return self._lines.line("acknowledgement", language, self._fields)

    def _pressing(self) -> bool:
        """A safety rule fired, or an ask-last enum (urgency) sits above its lowest option."""
        if self._fields.safety_said:
            return True
        for spec in self._definition.fields:
            values = [option.value for option in spec.options]
            value = self._fields.value(spec.name)
            if spec.ask_last and value in values[:-1]:
                return True
        return False

    def _llm(self, text: str, language: str, lines: list[str], question: str, target: str) -> ReplyPlan:
        note = "[Answer in one short sentence from the facts. Do not ask a question.]"
        messages = (self._system(language), *self._history[:-1], ChatMessage("user", f"{text}\n{note}"))
        if "knowledge" in self._definition.tools and signals.is_question(text):
            # The business's documents may answer it: the session asks its knowledge base; `messages` (the
            # facts-only answer) stand in wherever no knowledge base runs (text mode, no documents).
            tool = ToolRequest("knowledge", {"question": text, "language": language})
            return ReplyPlan(
                "knowledge", lines=tuple(lines), messages=messages, after=(question,), tool=tool, asked=target
            )
        return ReplyPlan("llm", lines=tuple(lines), messages=messages, after=(question,), asked=target, max_tokens=48)

    def _tool(self, request: ToolRequest, facts: str, language: str, lines: list[str], target: str) -> ReplyPlan:
        """A tool the session runs; `fallback_text` is said wherever none runs (text mode, no tool desk)."""
        if request.name == "take_message" and (form := form_fields(self._definition)):
            return self._message_form(form, request, language, lines)
        if request.name == "take_message" and "message" not in request.arguments:
            return self._scripted([*lines, tool_line(self._definition, "message_what", language)])
        stand_in = {"hours": facts, "transfer": "transfer_unavailable", "book_visit": "callback_promise"}
        fallback = stand_in.get(request.name, "acknowledgement")
        if request.name != "hours":
            fallback = self._lines.line(fallback, language, self._fields)
        after = () if request.name == "transfer" else (self._ask(target, language),)
        return ReplyPlan("tool", lines=tuple(lines), fallback_text=fallback, after=after, tool=request, asked=target)

    def _message_form(self, form: dict[str, str], request: ToolRequest, language: str, lines: list[str]) -> ReplyPlan:
        """ "A message for Dana (saying …)" fills the definition's message form, whose questions go on in
        their order. The message goes out when the call ends, with the caller's name and number."""
        for part in ("for_whom", "message"):
            value = str(request.arguments.get(part, ""))
            if value and part in form:
                self._fields.set(form[part], value, value, "given")
        target = self._next_target()
        if target is None:
            return self._goodbye(language, lines, early=False)
        acknowledgement = self._lines.line("acknowledgement", language, self._fields)
        return self._scripted([*lines, acknowledgement, self._ask(target, language)], asked=target)

    def _system(self, language: str) -> ChatMessage:
        persona = self._lines.fill(self._text(self._definition.persona, language), self._fields)
        facts = self._lines.fill(self._facts.facts_text(language, self._now()), self._fields) or "- (none)"
        return ChatMessage("system", f"{persona}\n\n{RULES}\n\nFacts you may state:\n{facts}")

    def _wants_to_stop(self, text: str, language: str) -> bool:
        return self._definition.outbound is not None and bool(signals.signals_for(language).stop.search(text))

    # --- small pieces -----------------------------------------------------------------------------------

    def _context(self, language: str) -> FieldContext:
        timezone = self._definition.facts.hours.timezone if self._definition.facts.hours else "UTC"
        now = self._now().astimezone(ZoneInfo(timezone))
        return FieldContext(language=language, now=now, caller_id=self._caller_id)

    def _is_phone(self, target: str) -> bool:
        return target in {spec.name for spec in self._definition.fields if spec.kind == FieldKind.PHONE}

    def _scripted(self, lines: list[str], *, asked: str | None = None) -> ReplyPlan:
        return ReplyPlan(
            "scripted", lines=tuple(line for line in lines if line), asked=asked or self._fields.last_asked
        )

    def _end(self, lines: list[str]) -> ReplyPlan:
        self._ended = True
        return ReplyPlan("end_call", lines=tuple(line for line in lines if line), end_call=True)

    def _text(self, localized: dict[str, str], language: str) -> str:
        return text_for(localized, language, self._definition.default_language)
