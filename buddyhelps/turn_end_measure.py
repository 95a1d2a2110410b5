"""How well the worker judges the end of a turn and a barge-in on phone audio (real models, JSON out).

    python -m buddyhelps.turn_end_measure [--out artifacts/turn_end.json] [--quick]

Turn ends: every caller line of the simulator's scenarios, and held-out sentences of our own, cut at a
natural mid-sentence pause ("Hi there." / "My name is" …) and spoken with a real pause of `--pause-ms`,
by the simulator's Piper voice and by Kokoro voices the simulator never uses, through the 8 kHz mu-law
round trip. Each pause goes through the worker's own VAD and turn-taking; at each, Smart Turn scores it
and Whisper transcribes it (the speculative transcript). Reported per voice set, for the turn model
alone and combined with the words: false cut-offs (a mid-sentence pause called the end) and the wait
from the caller's last word to the turn's end at the real end (and to the earliest reply, which also
needs the transcript).

Barge-in: backchannels ("mm-hmm", "okay") and real interruptions spoken over the agent by five voices.
Judged as the session does (`words_at_clear_ms`): hold at `hold_ms`; at `clear_ms` of speech, Whisper
transcribes the speech so far and real words stop the agent, a backchannel is looked at again every
`repeek_ms`; past `backchannel_max_ms` it stops regardless; words at a pause count the same way. Beside
it, stopping by length alone at each `clear_ms` (`by_clear_ms`) and at `hold_ms`. Reported: false
interruptions, interruptions missed, and the time from speech onset to the agent being stopped (the
transcription's compute time included).

    python -m buddyhelps.turn_end_measure --barge-only   # the barge-in part alone (~3 min)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from buddyhelps.simulator.caller_voice import PiperCallerVoice
from buddyhelps.simulator.scenario import available_scenarios, load_scenario
from gpu_worker.conversation.barge_in import BargeLimits, interrupts
from gpu_worker.conversation.sentence_end import sounds_unfinished, trails_off
from gpu_worker.conversation.turn_taking import FRAME_MS, Paused, SpeechStarted, TurnEnded, TurnTaker, TurnTakingConfig
from gpu_worker.models.speech_to_text import WhisperSpeechToText
from gpu_worker.models.stages import FloatAudio
from gpu_worker.models.text_to_speech import KokoroOnnxTextToSpeech
from gpu_worker.models.turn_detector import SmartTurnDetector
from gpu_worker.models.voice_activity import SileroVoiceActivityDetector
from gpu_worker.telephony.audio_codec import float_to_mulaw, mulaw_to_float, resample
from shared.settings import Settings, load_settings

THRESHOLD = 0.5
HELD_OUT: tuple[tuple[str, str], ...] = (
    ("Hi there.", "I've got a leak under the kitchen sink."),
    ("My name is", "Daniel Okafor."),
    ("I'm at 17 Birch Lane,", "over in Shelbyville."),
    ("You can reach me at 555 301", "4477."),
    ("The water heater is making a banging noise and", "there's water on the floor."),
    ("I was wondering if", "you do weekend visits."),
    ("It started yesterday in the", "upstairs bathroom."),
    ("Hello, um,", "I need someone to look at my toilet."),
    ("So the thing is,", "the shower won't drain at all."),
    ("We had a plumber out last week but", "the pipe is dripping again."),
)
BACKCHANNELS = (
    "Mm-hmm.",
    "Okay.",
    "Yeah.",
    "Uh-huh.",
    "Right.",
    "Got it.",
    "Okay, sure.",
    "Yeah, yeah.",
    "Mm-hmm, yeah.",
    "Uh-huh, okay.",
    "Yes.",
    "Sure.",
    "Alright.",
)
INTERRUPTIONS = (
    "Excuse me.",
    "Hold on.",
    "No, no, no.",
    "Wait, wait.",
    "Wait, that's not right.",
    "Sorry, the address is wrong.",
    "No, hold on.",
    "Actually, it's the boiler.",
    "Hang on a second, I need to tell you something.",
    "Stop, that's the wrong number.",
)


@dataclass
class PauseCase:
    voice: str
    source: str  # "scenario" | "held_out"
    first: str
    rest: str
    mid_probability: float = 0.0
    mid_words: str = ""
    mid_stt_ms: float = 0.0
    end_probability: float = 0.0
    end_words: str = ""
    turn_model_ms: float = 0.0
    stt_ms: float = 0.0
    mid_paused: bool = False  # the VAD saw the mid-sentence pause at all


@dataclass
class BargeCase:
    voice: str
    text: str
    backchannel: bool
    speech_ms: int = 0  # how long the VAD heard speech (hangover included)
    onset_ms: int | None = None
    crossings: dict[int, int] = field(default_factory=dict)  # clear_ms → stream time speech first exceeded it
    # (pause time, words, STT ms, the words' confidence) and the same for each look at the words so far
    words_at: list[tuple[int, str, float, float | None]] = field(default_factory=list)
    peeks: list[tuple[int, str, float, float | None]] = field(default_factory=list)

    def decision(self, clear_ms: int) -> float | None:
        """Speech onset → the agent stopped under the session's rule with `clear_ms`; None: never stopped."""
        if self.onset_ms is None:
            return None
        stops = [at + stt_ms for (at, words, stt_ms, sure) in self.words_at if interrupts(words, "en", sure)]
        if clear_ms in self.crossings:
            stops.append(float(self.crossings[clear_ms]))
        return min(stops) - self.onset_ms if stops else None

    def decision_with_words(self, limits: BargeLimits) -> float | None:
        """Speech onset → the agent stopped under the session's rule: words at `clear_ms` and after, words
        at a pause, or speech past `backchannel_max_ms`; None: never stopped."""
        if self.onset_ms is None:
            return None
        looks = [*self.peeks, *self.words_at]
        stops = [at + stt_ms for (at, words, stt_ms, sure) in looks if interrupts(words, "en", sure)]
        if limits.backchannel_max_ms in self.crossings:
            stops.append(float(self.crossings[limits.backchannel_max_ms]))
        return min(stops) - self.onset_ms if stops else None


@dataclass
class Report:
    settings: dict[str, Any]
    turn_end: dict[str, Any] = field(default_factory=dict)
    barge_in: dict[str, Any] = field(default_factory=dict)
    cases: list[dict[str, Any]] = field(default_factory=list)


class Models:
    def __init__(self, settings: Settings) -> None:
        self.stt = WhisperSpeechToText.from_settings(settings)
        self.turn = SmartTurnDetector.from_settings(settings)
        self.vad = SileroVoiceActivityDetector(pool_size=1)
        self.kokoro = KokoroOnnxTextToSpeech.from_settings(settings)
        self.piper = PiperCallerVoice(cache_dir=settings.data_dir / "caller-voice-cache")

    async def speak(self, voice: str, text: str) -> FloatAudio:
        """`text` as the caller's line delivers it: 8 kHz, through mu-law and back."""
        if voice == "piper:joe":
            return mulaw_to_float(await self.piper.speak(text))
        audio = await self.kokoro.synthesize(text, voice=voice)
        return mulaw_to_float(float_to_mulaw(0.6 * resample(audio.samples, audio.sample_rate, 8000)))

    async def words(self, audio_8k: FloatAudio) -> tuple[str, float]:
        text, elapsed_ms, _ = await self.words_and_confidence(audio_8k)
        return text, elapsed_ms

    async def words_and_confidence(self, audio_8k: FloatAudio) -> tuple[str, float, float | None]:
        started = time.perf_counter()
        heard = await self.stt.transcribe(resample(audio_8k, 8000, 16000))
        return heard.text.strip(), (time.perf_counter() - started) * 1000, heard.confidence

    async def probability(self, audio_8k: FloatAudio) -> tuple[float, float]:
        started = time.perf_counter()
        value = await self.turn.end_of_turn_probability(resample(audio_8k, 8000, 16000))
        return value, (time.perf_counter() - started) * 1000


def _frames(audio: FloatAudio) -> list[FloatAudio]:
    samples = FRAME_MS * 8
    padded = np.concatenate([audio, np.zeros((-len(audio)) % samples, dtype=np.float32)])
    return [padded[i : i + samples] for i in range(0, len(padded), samples)]


def _silence(ms: int) -> FloatAudio:
    return np.zeros(ms * 8, dtype=np.float32)


def _pauses(taker: TurnTaker, audio: FloatAudio) -> list[Paused]:
    pauses: list[Paused] = []
    for frame in _frames(audio):
        pauses += [event for event in taker.push_frame(frame) if isinstance(event, Paused)]
    return pauses


async def measure_pause(models: Models, case: PauseCase, *, pause_ms: int) -> PauseCase:
    first, rest = await models.speak(case.voice, case.first), await models.speak(case.voice, case.rest)
    taker = TurnTaker(vad=models.vad.new_stream(), config=TurnTakingConfig())
    audio = np.concatenate([_silence(300), first, _silence(pause_ms), rest, _silence(200)])
    pauses = _pauses(taker, audio)
    boundary_ms = 300 + len(first) // 8 + pause_ms
    mid = [pause for pause in pauses if pause.at_ms < boundary_ms]
    end = [pause for pause in pauses if pause.at_ms >= boundary_ms]
    case.mid_paused = bool(mid)
    if mid:
        case.mid_probability, _ = await models.probability(mid[-1].audio_8k)
        case.mid_words, case.mid_stt_ms = await models.words(mid[-1].audio_8k)
    if end:
        case.end_probability, case.turn_model_ms = await models.probability(end[-1].audio_8k)
        case.end_words, case.stt_ms = await models.words(end[-1].audio_8k)
    return case


async def measure_barge(
    models: Models, case: BargeCase, clear_options: tuple[int, ...], limits: BargeLimits
) -> BargeCase:
    """One utterance over the agent on the stream's clock: when speech passed each length, the words so
    far at `clear_ms` and every `repeek_ms` after (a look starts once the last one is done), and the words
    at each pause, each with its compute time, as the session would have them."""
    audio = np.concatenate([_silence(200), await models.speak(case.voice, case.text), _silence(900)])
    taker = TurnTaker(vad=models.vad.new_stream(), config=TurnTakingConfig())
    next_look = (limits.clear_ms, 0.0)  # (speech length, stream time) before which no look starts
    for frame in _frames(audio):
        for event in taker.push_frame(frame):
            if isinstance(event, SpeechStarted) and case.onset_ms is None:
                case.onset_ms = event.at_ms
            elif isinstance(event, Paused | TurnEnded) and case.onset_ms is not None:
                words, stt_ms, sure = await models.words_and_confidence(event.audio_8k)
                case.words_at.append((event.at_ms, words, round(stt_ms, 1), sure))
        speech_ms = taker.speech_ms()
        if next_look[0] < speech_ms <= limits.backchannel_max_ms and taker.now_ms >= next_look[1]:
            words, stt_ms, sure = await models.words_and_confidence(taker.utterance_audio())
            case.peeks.append((taker.now_ms, words, round(stt_ms, 1), sure))
            next_look = (speech_ms + limits.repeek_ms - 1, taker.now_ms + stt_ms)
        case.speech_ms = max(case.speech_ms, speech_ms)
        for clear_ms in clear_options:
            if speech_ms > clear_ms and clear_ms not in case.crossings:
                case.crossings[clear_ms] = taker.now_ms
    return case


def _turn_end_summary(cases: list[PauseCase], config: TurnTakingConfig) -> dict[str, Any]:
    def waits(combined: bool) -> tuple[list[float], list[float]]:
        end_waits, reply_waits = [], []
        for case in cases:
            over = case.end_probability >= THRESHOLD and not (combined and sounds_unfinished(case.end_words))
            decided = case.turn_model_ms if not combined else max(case.turn_model_ms, case.stt_ms)
            forced = float(config.max_silence_ms)  # the hard limit ends the turn whatever was decided
            end = min(forced, config.pause_ms + decided) if over else forced
            end_waits.append(end)
            reply_waits.append(max(end, config.pause_ms + case.stt_ms))  # a reply needs the words too
        return end_waits, reply_waits

    seen = [case for case in cases if case.mid_paused]
    alone_cut = [case for case in seen if case.mid_probability >= THRESHOLD]
    combined_cut = [case for case in alone_cut if not sounds_unfinished(case.mid_words)]
    summary: dict[str, Any] = {"lines": len(cases), "mid_pauses_seen_by_vad": len(seen)}
    for name, cut, combined in (("turn_model_alone", alone_cut, False), ("with_words", combined_cut, True)):
        end_waits, reply_waits = waits(combined)
        summary[name] = {
            "false_cutoffs": len(cut),
            "false_cutoff_rate": round(len(cut) / len(seen), 3) if seen else None,
            "end_wait_ms_mean": round(statistics.mean(end_waits), 1) if end_waits else None,
            "end_wait_ms_p50": round(statistics.median(end_waits), 1) if end_waits else None,
            "reply_ready_ms_mean": round(statistics.mean(reply_waits), 1) if reply_waits else None,
            "real_ends_held_for_words": sum(1 for case in cases if combined and sounds_unfinished(case.end_words)),
        }
    summary["pause_longer_than_max_silence"] = _long_pause_summary(seen, cases, config)
    return summary


def _long_pause_summary(seen: list[PauseCase], cases: list[PauseCase], config: TurnTakingConfig) -> dict[str, Any]:
    """A mid-sentence pause longer than the hard silence limit (a breath inside a number): the pause is held
    until its words are in, and stays open up to `unfinished_silence_ms` when they trail off. Real ends
    whose words trail off wait that longer limit too (unless the turn model ends them first)."""
    in_time = [case for case in seen if config.pause_ms + case.mid_stt_ms < config.unfinished_silence_ms]
    kept = [case for case in in_time if trails_off(case.mid_words)]
    return {
        "unfinished_silence_ms": config.unfinished_silence_ms,
        "kept_whole": len(kept),
        "kept_whole_rate": round(len(kept) / len(seen), 3) if seen else None,
        "words_too_late": len(seen) - len(in_time),
        "not_kept": [f"{case.voice}: {case.mid_words!r}" for case in seen if case not in kept],
        "real_ends_waiting_longer": sum(1 for case in cases if trails_off(case.end_words)),
    }


def _barge_summary(cases: list[BargeCase], limits: BargeLimits, clear_options: tuple[int, ...]) -> dict[str, Any]:
    backchannels = [case for case in cases if case.backchannel]
    interruptions = [case for case in cases if not case.backchannel]
    with_words = [r for r in (case.decision_with_words(limits) for case in interruptions) if r is not None]
    by_clear_ms: dict[str, Any] = {}
    for clear_ms in clear_options:
        reactions = [r for r in (case.decision(clear_ms) for case in interruptions) if r is not None]
        by_clear_ms[str(clear_ms)] = {
            "false_interruptions": sum(1 for case in backchannels if case.decision(clear_ms) is not None),
            "interruptions_missed": len(interruptions) - len(reactions),
            "reaction_ms_mean": round(statistics.mean(reactions), 1) if reactions else None,
            "reaction_ms_max": round(max(reactions), 1) if reactions else None,
        }
    return {
        "backchannels": len(backchannels),
        "interruptions": len(interruptions),
        "voices": sorted({case.voice for case in cases}),
        "words_at_clear_ms": {
            **asdict(limits),
            "false_interruptions": sum(1 for case in backchannels if case.decision_with_words(limits) is not None),
            "falsely_stopped": [
                f"{case.voice}: {case.text}" for case in backchannels if case.decision_with_words(limits) is not None
            ],
            "interruptions_missed": len(interruptions) - len(with_words),
            "missed": [
                f"{case.voice}: {case.text}" for case in interruptions if case.decision_with_words(limits) is None
            ],
            "reaction_ms_p50": round(statistics.median(with_words), 1) if with_words else None,
            "reaction_ms_p95": round(float(np.percentile(with_words, 95)), 1) if with_words else None,
            "reaction_ms_max": round(max(with_words), 1) if with_words else None,
        },
        "stopping_at_hold_ms": {
            "hold_ms": limits.hold_ms,
            "false_interruptions": sum(1 for case in backchannels if case.speech_ms >= limits.hold_ms),
        },
        "by_clear_ms": by_clear_ms,
    }


def _split(text: str) -> tuple[str, str] | None:
    """A scenario line cut at its first comma or sentence end, else before its middle word."""
    words = text.split()
    for index, word in enumerate(words[:-1]):
        if word.endswith((",", ".")) and index >= 0:
            return " ".join(words[: index + 1]), " ".join(words[index + 1 :])
    if len(words) < 4:
        return None
    middle = len(words) // 2
    return " ".join(words[:middle]), " ".join(words[middle:])


VOICES = ("piper:joe", "af_bella", "am_michael")
BARGE_VOICES = (*VOICES, "bf_emma", "am_adam")


async def run(
    settings: Settings, *, pause_ms: int, quick: bool, out: Path, limit: int = 0, barge_only: bool = False
) -> Report:
    """Measure everything; the JSON is rewritten after each part, so a long run leaves what it has."""
    models = Models(settings)
    config, limits = TurnTakingConfig(), BargeLimits()
    report = Report(settings={"pause_ms": pause_ms, "turn_taking": asdict(config), "barge": asdict(limits)})
    if not barge_only:
        await _measure_turn_ends(models, report, pause_ms=pause_ms, quick=quick, out=out, limit=limit)
    barge_texts = [(text, True) for text in BACKCHANNELS] + [(text, False) for text in INTERRUPTIONS]
    clear_options = (400, 500, 600, 700, 800, limits.backchannel_max_ms)
    barges = [
        await measure_barge(models, BargeCase(voice, text, backchannel), clear_options, limits)
        for voice in (BARGE_VOICES[:2] if quick else BARGE_VOICES)
        for text, backchannel in barge_texts
    ]
    report.barge_in = _barge_summary(barges, limits, clear_options)
    report.cases += [{"kind": "barge", **asdict(case)} for case in barges]
    _save(report, out)
    return report


async def _measure_turn_ends(
    models: Models, report: Report, *, pause_ms: int, quick: bool, out: Path, limit: int
) -> None:
    config = TurnTakingConfig()
    lines = sorted({text for name in available_scenarios() for text in load_scenario(name).spoken_texts})
    scenario_pairs = [pair for pair in map(_split, lines) if pair is not None]
    for voice_set, pairs_voices in (
        ("simulator_scenarios", [(p, "piper:joe", "scenario") for p in scenario_pairs]),
        ("held_out", [(p, v, "held_out") for p in HELD_OUT for v in VOICES[1:]]),
    ):
        if quick or limit:
            pairs_voices = pairs_voices[: limit or 4]
        cases = [
            await measure_pause(models, PauseCase(voice, source, *pair), pause_ms=pause_ms)
            for pair, voice, source in pairs_voices
        ]
        report.turn_end[voice_set] = _turn_end_summary(cases, config)
        report.cases += [{"kind": "pause", **asdict(case)} for case in cases]
        _save(report, out)


def _save(report: Report, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(asdict(report), indent=2) + "\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("artifacts/turn_end.json"))
    parser.add_argument("--pause-ms", type=int, default=500, help="the mid-sentence pause (under max silence)")
    parser.add_argument("--quick", action="store_true", help="a few cases per set (a smoke run)")
    parser.add_argument("--limit", type=int, default=0, help="at most this many lines per set (0: all)")
    parser.add_argument("--barge-only", action="store_true", help="only the barge-in part")
    args = parser.parse_args(argv)
    report = asyncio.run(
        run(
            load_settings(),
            pause_ms=args.pause_ms,
            quick=args.quick,
            out=args.out,
            limit=args.limit,
            barge_only=args.barge_only,
        )
    )
    print(json.dumps({"turn_end": report.turn_end, "barge_in": report.barge_in}, indent=2))


if __name__ == "__main__":
    main()
