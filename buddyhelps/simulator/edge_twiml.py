"""TwiML answered at the edge, before or instead of a media stream: <Say>, <Gather> (with nested <Say>),
<Redirect>, <Dial>, <Pause>, <Hangup>, with Twilio's defaults (twilio.com/docs/voice/twiml/gather, /say,
/redirect, /dial). A document holding none of <Gather>, <Redirect> or <Dial> is left to twiml_reader.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass

from buddyhelps.simulator.twiml_reader import MAX_TWIML_CHARS, TwimlError

EDGE_VERBS = frozenset({"Gather", "Redirect", "Dial"})  # what makes a document one for this module
GATHER_INPUTS = frozenset({"dtmf", "speech"})


@dataclass(frozen=True, kw_only=True)
class Say:
    text: str
    language: str = "en-US"
    voice: str = ""
    loop: int = 1


@dataclass(frozen=True, kw_only=True)
class Pause:
    length_s: float = 1.0


@dataclass(frozen=True, kw_only=True)
class Gather:
    action: str | None  # None: Twilio posts to the document's own URL
    method: str = "POST"
    inputs: frozenset[str] = frozenset({"dtmf"})
    num_digits: int | None = None  # None: until finishOnKey or the timeout
    timeout_s: float = 5.0  # after the nested verbs end, and between digits
    finish_on_key: str = "#"
    speech_timeout: str = ""  # "" = timeout_s; "auto"; or seconds
    language: str = "en-US"
    action_on_empty_result: bool = False
    prompt: tuple[Say | Pause, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Redirect:
    url: str
    method: str = "POST"


@dataclass(frozen=True, kw_only=True)
class Dial:
    number: str
    action: str | None = None
    method: str = "POST"
    timeout_s: float = 30.0


@dataclass(frozen=True, kw_only=True)
class Hangup:
    pass


EdgeVerb = Say | Pause | Gather | Redirect | Dial | Hangup


@dataclass(frozen=True, kw_only=True)
class EdgeDocument:
    verbs: tuple[EdgeVerb, ...]


def read_edge_document(text: str) -> EdgeDocument | None:
    """The verbs in order, or None when the document is a stream, a voicemail or nothing this module plays."""
    if len(text) > MAX_TWIML_CHARS:
        raise TwimlError(f"TwiML of {len(text)} characters")
    try:
        root = ET.fromstring(text)  # noqa: S314 - TwiML from the BuddyHelps under test, size-checked
    except ET.ParseError as error:
        raise TwimlError(f"not XML: {error}") from error
    if root.tag != "Response" or not any(verb.tag in EDGE_VERBS for verb in root):
        return None
    return EdgeDocument(verbs=tuple(_verb(element) for element in root))


def _verb(element: ET.Element) -> EdgeVerb:
    readers: dict[str, Callable[[ET.Element], EdgeVerb]] = {
        "Say": _say,
        "Pause": _pause,
        "Gather": _gather,
        "Redirect": _redirect,
        "Dial": _dial,
    }
    if element.tag == "Hangup":
        return Hangup()
    reader = readers.get(element.tag)
    if reader is None:
        raise TwimlError(f"<{element.tag}> after a <Gather>, <Redirect> or <Dial> is not played by the simulator")
    return reader(element)


def _say(element: ET.Element) -> Say:
    text = (element.text or "").strip()
    if not text:
        raise TwimlError("<Say> with nothing to say")
    return Say(
        text=text,
        language=element.get("language", "en-US"),
        voice=element.get("voice", ""),
        loop=_number(element, "loop", 1, low=0),
    )


def _pause(element: ET.Element) -> Pause:
    return Pause(length_s=float(_number(element, "length", 1, low=1)))


def _gather(element: ET.Element) -> Gather:
    inputs = frozenset(element.get("input", "dtmf").split())
    if not inputs or not inputs <= GATHER_INPUTS:
        raise TwimlError(f"<Gather input={element.get('input')!r}>: Twilio takes dtmf, speech or 'dtmf speech'")
    finish = element.get("finishOnKey", "#")
    if finish not in {"", "#", "*", *"0123456789"}:
        raise TwimlError(f"<Gather finishOnKey={finish!r}> is not one key")
    speech_timeout = element.get("speechTimeout", "")
    if speech_timeout not in {"", "auto"} and not speech_timeout.isdigit():
        raise TwimlError(f"<Gather speechTimeout={speech_timeout!r}>: seconds or 'auto' (Twilio warning 13327)")
    empty = element.get("actionOnEmptyResult", "false").lower()
    if empty not in {"true", "false"}:
        raise TwimlError(f"<Gather actionOnEmptyResult={empty!r}> (Twilio error 13338)")
    prompt: list[Say | Pause] = []
    for nested in element:
        if nested.tag == "Say":
            prompt.append(_say(nested))
        elif nested.tag == "Pause":
            prompt.append(_pause(nested))
        else:
            raise TwimlError(f"<Gather> may nest <Say>, <Play> or <Pause>, not <{nested.tag}>")
    num_digits = element.get("numDigits")
    return Gather(
        action=element.get("action") or None,
        method=_method(element),
        inputs=inputs,
        num_digits=_number(element, "numDigits", 1, low=1) if num_digits is not None else None,
        timeout_s=float(_number(element, "timeout", 5, low=1)),
        finish_on_key=finish,
        speech_timeout=speech_timeout,
        language=element.get("language", "en-US"),
        action_on_empty_result=empty == "true",
        prompt=tuple(prompt),
    )


def _redirect(element: ET.Element) -> Redirect:
    url = (element.text or "").strip()
    if not url:
        raise TwimlError("<Redirect> without a URL")
    return Redirect(url=url, method=_method(element))


def _dial(element: ET.Element) -> Dial:
    number = element.find("Number")
    target = (number.text if number is not None else element.text) or ""
    if not target.strip():
        raise TwimlError("<Dial> with no number")
    return Dial(
        number=target.strip(),
        action=element.get("action") or None,
        method=_method(element),
        timeout_s=float(_number(element, "timeout", 30, low=5)),
    )


def _method(element: ET.Element) -> str:
    method = element.get("method", "POST").upper()
    if method not in {"GET", "POST"}:
        raise TwimlError(f"<{element.tag} method={method!r}>: GET or POST")
    if method == "GET":
        raise TwimlError(f"<{element.tag} method='GET'>: the simulator follows POST only (BuddyHelps sends POST)")
    return method


def _number(element: ET.Element, name: str, default: int, *, low: int) -> int:
    raw = element.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < low:
        raise TwimlError(f"<{element.tag} {name}={raw!r}>: a whole number of at least {low}")
    return int(raw)
