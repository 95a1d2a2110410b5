"""The arithmetic of the benchmark report: percentiles, per-reply-kind splits, ratios and the backchannel verdict.

Pure functions on plain values, so the report's meaning is tested without running a call.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

NOT_AVAILABLE = "not available"
REPLY_KINDS = ("scripted", "llm", "led", "knowledge", "tool")


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (no interpolation: a reported figure is one that was measured)."""
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return round(ordered[index], 1)


def summarize(values: Sequence[float]) -> dict[str, float | int | None]:
    return {
        "n": len(values),
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "mean": round(statistics.fmean(values), 1) if values else None,
    }


def ratio(ours: float | None, peer: float | None) -> float | None:
    """ours / peer to 3 significant digits, or None when either side has no figure (or the peer's is zero)."""
    if ours is None or peer is None or peer == 0:
        return None
    return float(f"{ours / peer:.3g}")


def split_by_reply_kind(caller_side_ms: Sequence[float], worker_turns: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Voice-to-voice p50/p95 per reply kind ("scripted", "llm", "led", ...), from one call's turns.

    The kind comes from the worker's per-turn latency records (`reply_kind`). Caller-side figures are
    paired with them in order when both sides counted the same turns; otherwise (a turn joined or
    retracted on one side) the worker's own voice-to-voice is used, and `source` says which.
    """
    kinds = [turn.get("reply_kind") for turn in worker_turns]
    if not worker_turns or all(kind is None for kind in kinds):
        return {"source": NOT_AVAILABLE, "kinds": {}}
    paired = len(caller_side_ms) == len(worker_turns)
    values = list(caller_side_ms) if paired else [float(turn["voice_to_voice_ms"]) for turn in worker_turns]
    grouped: dict[str, list[float]] = {}
    for kind, value in zip(kinds, values, strict=True):
        grouped.setdefault(str(kind) if kind is not None else "unknown", []).append(value)
    return {"source": "caller" if paired else "worker", "kinds": grouped}


def merge_kind_splits(splits: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Several calls' splits → one summary per kind; a kind never seen reports "not available"."""
    grouped: dict[str, list[float]] = {}
    sources: set[str] = set()
    for split in splits:
        if split["source"] == NOT_AVAILABLE:
            continue
        sources.add(split["source"])
        for kind, values in split["kinds"].items():
            grouped.setdefault(kind, []).extend(values)
    if not grouped:
        return {"source": NOT_AVAILABLE, **dict.fromkeys(REPLY_KINDS, NOT_AVAILABLE)}
    summary: dict[str, Any] = {"source": "+".join(sorted(sources))}
    for kind in (*REPLY_KINDS, *sorted(set(grouped) - set(REPLY_KINDS))):
        summary[kind] = summarize(grouped[kind]) if kind in grouped else NOT_AVAILABLE
    return summary


def speculation_rate(worker_turns: Iterable[Mapping[str, Any]]) -> dict[str, Any] | str:
    """How often the reply planned during the caller's pause was the one played."""
    flags = [turn["speculation_adopted"] for turn in worker_turns if turn.get("speculation_adopted") is not None]
    if not flags:
        return NOT_AVAILABLE
    return {"turns": len(flags), "adopted": sum(bool(flag) for flag in flags)}


def backchannel_verdict(*, clear_ms: float | None, next_audio_ms: float | None) -> dict[str, Any]:
    """One lone "mm-hmm" spoken over the agent: did the agent cut its reply (`clear`)?

    `interrupted` is what the caller hears: the reply stopped. `next_audio_ms` is how long after the
    "mm-hmm" ended the agent was heard again (a resumed reply comes back quickly; a new reply to
    "mm-hmm" waits for speech-to-text, the LLM and TTS).
    """
    return {
        "interrupted": clear_ms is not None,
        "clear_ms": None if clear_ms is None else round(clear_ms, 1),
        "next_audio_ms": None if next_audio_ms is None else round(next_audio_ms, 1),
    }
