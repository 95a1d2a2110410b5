"""What Twilio does with an edge document (edge_twiml.py), as the simulated caller meets it.

<Say> plays for as long as Twilio's voice would take (about 2.5 words a second). <Gather> listens from its
first nested verb: the scenario's next line answers it — its `dtmf` as keys (a key stops the prompt, as
Twilio's barge-in does; `numDigits` or `finishOnKey` end it), else its `text` as speech when the Gather
takes speech (SpeechResult is the line's text: Twilio's recognizer is not simulated, the words are) — as
long as the caller acts before `timeout` seconds of silence after the prompt (a line that waits for the
prompt and pauses longer is left for whoever answers next). Nothing in time: the next verb runs, or the
action is asked with nothing when actionOnEmptyResult is true. <Redirect> and a <Gather>'s or <Dial>'s
action POST the call's parameters, signed, and what they answer runs next. <Dial> rings the number; the
dialled phone answers or not as `dial_answer` says.

Time is simulated: each wait is decided on the simulated clock and slept scaled by `time_scale` (1.0 is
real time; tests use less), so what the caller does and when is the same at any speed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urljoin

import httpx

from buddyhelps.simulator.edge_twiml import Dial, EdgeDocument, Gather, Hangup, Pause, Redirect, Say
from buddyhelps.simulator.scenario import CallerLine
from buddyhelps.simulator.twilio_webhooks import WebhookTarget, new_sid, post_signed

WORDS_PER_S = 2.5  # Twilio's Polly voices at their default rate
SAY_START_S = 0.3
KEY_S = 0.1  # one key press (tone and gap)
SPEECH_AUTO_END_S = 1.0  # speechTimeout="auto": how long after the last word Twilio decides speech ended
SPEECH_CONFIDENCE = "0.92"
BYTES_PER_S = 8000  # the caller's speech as 8 kHz mu-law
DIALLED_TALK_S = 30.0  # how long an answered transfer lasts before the person hangs up


@dataclass(frozen=True, kw_only=True)
class EdgeEvent:
    verb: str  # say | gather | redirect | dial | hangup
    detail: str  # the words said; the keys or speech gathered ("" when nothing); the URL; the dial's status
    language: str = ""  # <Say language> / <Gather language>


@dataclass(frozen=True, kw_only=True)
class EdgeStep:
    """What playing one document did: the next document to run (None: the call ended at the edge)."""

    events: tuple[EdgeEvent, ...]
    lines: tuple[CallerLine, ...]  # the caller's lines still to come
    next_document: str | None
    document_url: str  # the URL that answered `next_document` (what a relative URL resolves against)
    ended: str = ""  # transferred (a dialled person answered) | edge_hung_up (<Hangup> or no verbs left)


@dataclass(kw_only=True)
class EdgePlayer:
    http: httpx.AsyncClient
    target: WebhookTarget
    form: Mapping[str, str]  # the call's parameters, as Twilio sends them with every request
    speech: Mapping[str, bytes]  # the caller's audio per line text (its length is how long it takes to say)
    time_scale: float = 1.0
    dial_answer: str = "no-answer"  # completed | no-answer | busy | failed
    events: list[EdgeEvent] = field(default_factory=list)

    async def play(self, document: EdgeDocument, *, lines: tuple[CallerLine, ...], url: str) -> EdgeStep:
        self.events = []
        for verb in document.verbs:
            if isinstance(verb, Say):
                await self._wait(self._say(verb))
            elif isinstance(verb, Pause):
                await self._wait(verb.length_s)
            elif isinstance(verb, Redirect):
                self.events.append(EdgeEvent(verb="redirect", detail=verb.url))
                return await self._next(urljoin(url, verb.url), {}, lines)
            elif isinstance(verb, Gather):
                gathered, lines = await self._gather(verb, lines)
                if gathered is not None or verb.action_on_empty_result:
                    return await self._next(urljoin(url, verb.action or url), gathered or {}, lines)
            elif isinstance(verb, Dial):
                step = await self._dial(verb, lines, url)
                if step is not None:
                    return step
            elif isinstance(verb, Hangup):
                self.events.append(EdgeEvent(verb="hangup", detail=""))
                break
        return EdgeStep(
            events=tuple(self.events), lines=lines, next_document=None, document_url=url, ended="edge_hung_up"
        )

    def _say(self, say: Say) -> float:
        self.events.append(EdgeEvent(verb="say", detail=say.text, language=say.language))
        return say_seconds(say)

    async def _gather(
        self, gather: Gather, lines: tuple[CallerLine, ...]
    ) -> tuple[dict[str, str] | None, tuple[CallerLine, ...]]:
        prompt_s = sum(self._say(v) if isinstance(v, Say) else v.length_s for v in gather.prompt)
        line = lines[0] if lines else None
        heard = _heard(gather, line, prompt_s, self.speech)
        if heard is None:
            self.events.append(EdgeEvent(verb="gather", detail="", language=gather.language))
            await self._wait(prompt_s + gather.timeout_s)
            return None, lines
        params, done_at = heard
        self.events.append(
            EdgeEvent(verb="gather", detail=params.get("Digits") or params["SpeechResult"], language=gather.language)
        )
        await self._wait(done_at)
        return params, lines[1:]

    async def _dial(self, dial: Dial, lines: tuple[CallerLine, ...], url: str) -> EdgeStep | None:
        answered = self.dial_answer == "completed"
        self.events.append(EdgeEvent(verb="dial", detail=f"{dial.number} {self.dial_answer}"))
        await self._wait(DIALLED_TALK_S if answered else dial.timeout_s)
        params = {
            "DialCallStatus": self.dial_answer,
            "DialCallSid": new_sid("CA"),
            "DialCallDuration": str(int(DIALLED_TALK_S)) if answered else "0",
        }
        if dial.action is not None:
            return await self._next(urljoin(url, dial.action), params, lines)
        if answered:  # the call ends with the dialled leg when there is no action
            return EdgeStep(
                events=tuple(self.events), lines=lines, next_document=None, document_url=url, ended="transferred"
            )
        return None

    async def _next(self, url: str, params: Mapping[str, str], lines: tuple[CallerLine, ...]) -> EdgeStep:
        public = self.target.public_base_url.rstrip("/")
        if not url.startswith(public + "/"):
            raise ValueError(f"URL {url!r} is not under the public base URL {public!r}")
        form = {**self.form, "CallStatus": "in-progress", **params}
        answer = await post_signed(self.http, self.target, url.removeprefix(public), form)
        if answer.status_code != 200:
            raise ValueError(f"{url} answered HTTP {answer.status_code}: {answer.text[:300]}")
        ended = "transferred" if params.get("DialCallStatus") == "completed" else ""
        return EdgeStep(
            events=tuple(self.events), lines=lines, next_document=answer.text, document_url=url, ended=ended
        )

    async def _wait(self, simulated_s: float) -> None:
        if simulated_s > 0 and self.time_scale > 0:
            await asyncio.sleep(simulated_s * self.time_scale)  # the simulated clock, scaled: not a poll


def say_seconds(say: Say) -> float:
    return max(1, say.loop) * (SAY_START_S + len(say.text.split()) / WORDS_PER_S)


def _heard(
    gather: Gather, line: CallerLine | None, prompt_s: float, speech: Mapping[str, bytes]
) -> tuple[dict[str, str], float] | None:
    """The action's parameters and when (simulated seconds from the Gather's start) the Gather ends with them;
    None when the caller gives nothing it takes before the timeout."""
    if line is None:
        return None
    starts = (prompt_s if line.wait_for_agent else 0.0) + line.pause_before_s
    if starts > prompt_s + gather.timeout_s:
        return None  # silence outlasted the timeout: Twilio moved on before the caller acted
    if line.dtmf and "dtmf" in gather.inputs:
        digits = ""
        for key in line.dtmf:
            if key == gather.finish_on_key:
                return {"Digits": digits, "FinishedOnKey": key}, starts + KEY_S * (len(digits) + 1)
            digits += key
            if gather.num_digits is not None and len(digits) == gather.num_digits:
                return {"Digits": digits, "FinishedOnKey": ""}, starts + KEY_S * len(digits)
        return {"Digits": digits, "FinishedOnKey": ""}, starts + KEY_S * len(digits) + gather.timeout_s
    if line.text and "speech" in gather.inputs:
        spoken_s = len(speech.get(line.text, b"")) / BYTES_PER_S
        ends = SPEECH_AUTO_END_S if gather.speech_timeout in {"", "auto"} else float(gather.speech_timeout)
        if gather.speech_timeout == "":
            ends = gather.timeout_s
        return {"SpeechResult": line.text, "Confidence": SPEECH_CONFIDENCE}, starts + spoken_s + ends
    return None
