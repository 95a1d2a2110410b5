"""How long each tool's answer took to be heard on a simulated call: from the caller's request (the last
speech frame of the line that asked) to the first frame of the clause that carries the tool's answer, as
played to the caller. The clause is found by its words: each tool call's spoken result (from the call's intent
log) is matched against Whisper's hearing of the agent's clauses after it, so an acknowledgement or "One
moment, let me check" played first does not count as the answer."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from buddyhelps.simulator.call_result import CallResult
from buddyhelps.simulator.heard_clauses import HeardClause
from functions.intent_log import IntentEntry
from gpu_worker.telephony.audio_codec import FloatAudio

MATCH_SHARE = 0.5  # the share of a clause's words that must be in the tool's answer
MATCH_RUN = 2  # words in a row that the clause and the answer share
_WORD = re.compile(r"[a-z0-9áéíóúñü']+")


@dataclass(frozen=True, kw_only=True)
class ToolAnswerTiming:
    tool: str
    arguments: tuple[str, ...]  # the argument names (book_visit: wish = times offered, choice = booked)
    request_to_heard_ms: float | None  # None: its answer was not found among the clauses heard
    reply_started_ms: float | None  # the reply's first frame (its acknowledgement or hold line, if any)
    heard_text: str  # what Whisper heard in the answer's clause
    answer: str  # what the tool said


async def tool_answer_timings(
    result: CallResult, entries: Sequence[IntentEntry], transcribe: Callable[[FloatAudio], str]
) -> list[ToolAnswerTiming]:
    """One timing per tool call that answered (outcome ok), in order."""
    clauses = [(leg, clause) for leg in result.all_legs for clause in leg.clauses if clause.reply_to > 0]
    heard: dict[int, str] = {}  # clause position → Whisper's words (each clause transcribed once)
    timings, position = [], 0
    for entry in (e for e in entries if e.outcome == "ok" and e.result.strip()):
        found = None
        while position < len(clauses) and found is None:
            leg, clause = clauses[position]
            if position not in heard and leg.recording is not None:
                audio = leg.recording.agent_audio(clause.first_tick, clause.last_tick)
                heard[position] = await asyncio.to_thread(transcribe, audio)
            text = heard.get(position, "")
            position += 1
            if carries(text, entry.result):
                found = (leg, clause, text)
        timings.append(_timing(entry, found))
        if found is None:
            position = 0  # not heard: the next tool's answer is looked for from the start again
    return timings


def carries(heard: str, answer: str) -> bool:
    """Whether a clause heard as `heard` is (part of) the tool's `answer`: most of its words are the answer's,
    and at least two of them in the answer's order (a question that shares words with the answer is not it:
    "What message would you like me to pass on?" is not "I'll pass your message on to Dana")."""
    heard_words = _WORD.findall(heard.lower())
    answer_words = _WORD.findall(answer.lower())
    if len(heard_words) < 2:
        return False
    share = sum(word in set(answer_words) for word in heard_words) / len(heard_words)
    run = SequenceMatcher(None, heard_words, answer_words, autojunk=False).find_longest_match().size
    return share >= MATCH_SHARE and run >= MATCH_RUN


def _timing(entry: IntentEntry, found: tuple[CallResult, HeardClause, str] | None) -> ToolAnswerTiming:
    if found is None:
        return ToolAnswerTiming(
            tool=entry.name,
            arguments=tuple(sorted(entry.arguments)),
            request_to_heard_ms=None,
            reply_started_ms=None,
            heard_text="",
            answer=entry.result,
        )
    leg, clause, text = found
    first = next(c for c in leg.clauses if c.reply_to == clause.reply_to)
    return ToolAnswerTiming(
        tool=entry.name,
        arguments=tuple(sorted(entry.arguments)),
        request_to_heard_ms=_rounded(clause.after_request_ms),
        reply_started_ms=_rounded(first.after_request_ms),
        heard_text=text,
        answer=entry.result,
    )


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
