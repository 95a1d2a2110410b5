"""Ours against the peer, figure by figure (ratio = ours / peer: below 1 is better for us), and the targets."""

from __future__ import annotations

from typing import Any

from buddyhelps.bench.figures import NOT_AVAILABLE, ratio

CPU_TARGETS = {
    "greeting_ms": 300,
    "v2v_p50_ms": 1200,
    "v2v_p95_ms": 1800,
    "barge_in_ms": 300,
    "v2v_p95_ms_at_4": 3000,
    "peak_rss_mb": 2560,
}
GPU_TARGETS = {"v2v_p50_ms_at_32": 300, "v2v_p95_ms_at_32": 500}


def _figures(side: dict[str, Any]) -> dict[str, float | None]:
    one = side["one_at_a_time"]
    backchannel = side.get("backchannel", {})
    return {
        "greeting_p50_ms": one["greeting_ms"]["p50"],
        "v2v_p50_ms": one["voice_to_voice_ms"]["p50"],
        "v2v_p95_ms": one["voice_to_voice_ms"]["p95"],
        "barge_in_clear_ms": one["barge_in_ms"]["p50"],
        "false_interruptions_by_mm_hmm": None if "interrupted" not in backchannel else int(backchannel["interrupted"]),
        "cpu_s_per_call": one["cpu"]["cpu_s_per_call"],
        "peak_rss_mb": side.get("peak_rss_mb_one_call"),
    }


def compare(ours: dict[str, Any], peer: dict[str, Any]) -> dict[str, Any]:
    """Each figure for both, with the ratio; ours split by reply kind against the peer's single figure."""
    if "error" in peer:
        return {"peer": peer["error"]}
    mine, theirs = _figures(ours), _figures(peer)
    table: dict[str, Any] = {
        name: {"ours": mine[name], "pipecat": theirs[name], "ratio": ratio(mine[name], theirs[name])} for name in mine
    }
    by_kind = ours["one_at_a_time"].get("voice_to_voice_by_reply_kind_ms", {})
    for kind, figures in by_kind.items():
        if kind == "source":
            continue
        for q in ("p50", "p95"):
            value = figures[q] if isinstance(figures, dict) else None
            table[f"v2v_{kind}_{q}_ms"] = {
                "ours": value if value is not None else NOT_AVAILABLE,
                "pipecat": theirs[f"v2v_{q}_ms"],
                "ratio": ratio(value, theirs[f"v2v_{q}_ms"]),
            }
    return table


def verdicts(report: dict[str, Any], *, device: str) -> dict[str, Any]:
    load = report["ours"]["load"]
    if device == "cuda":
        at_32 = load.get("32", {}).get("voice_to_voice_ms", {})
        checks: dict[str, Any] = {"v2v_p50_ms_at_32": at_32.get("p50"), "v2v_p95_ms_at_32": at_32.get("p95")}
        targets = GPU_TARGETS
    else:
        one = report["ours"]["one_at_a_time"]
        checks = {
            "greeting_ms": one["greeting_ms"]["p95"],
            "v2v_p50_ms": one["voice_to_voice_ms"]["p50"],
            "v2v_p95_ms": one["voice_to_voice_ms"]["p95"],
            "barge_in_ms": one["barge_in_ms"]["p95"],
            "v2v_p95_ms_at_4": load.get("4", {}).get("voice_to_voice_ms", {}).get("p95"),
            "peak_rss_mb": report["ours"]["peak_rss_mb"],
        }
        targets = CPU_TARGETS
    return {
        key: {"measured": value, "target": targets[key], "met": value is not None and value <= targets[key]}
        for key, value in checks.items()
    }
