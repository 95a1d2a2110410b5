"""Side by side: each figure for ours and the peer with its ratio, the mm-hmm call, and the targets."""

from __future__ import annotations

from typing import Any

from buddyhelps.bench.call_phase import BACKCHANNEL_SCENARIO, backchannel_summary
from buddyhelps.bench.comparison import compare, verdicts
from buddyhelps.bench.figures import NOT_AVAILABLE
from buddyhelps.simulator.call_result import CallResult
from buddyhelps.simulator.scenario import load_scenario
from buddyhelps.simulator.turns import Turn


def _side(*, greeting: float, p50: float, p95: float, clear: float, interrupted: bool, cpu: float, rss: float) -> dict:
    one: dict[str, Any] = {
        "greeting_ms": {"p50": greeting, "p95": greeting},
        "voice_to_voice_ms": {"p50": p50, "p95": p95},
        "barge_in_ms": {"p50": clear, "p95": clear},
        "cpu": {"cpu_s_per_call": cpu},
    }
    return {
        "one_at_a_time": one,
        "backchannel": {"interrupted": interrupted},
        "peak_rss_mb_one_call": rss,
    }


def test_each_figure_is_reported_for_both_with_ours_over_the_peer() -> None:
    # GIVEN our figures, split by reply kind, and the peer's
    ours = _side(greeting=5, p50=1000, p95=1700, clear=240, interrupted=False, cpu=30, rss=1500)
    ours["one_at_a_time"]["voice_to_voice_by_reply_kind_ms"] = {
        "source": "caller",
        "scripted": {"p50": 1085, "p95": 1300},
        "led": NOT_AVAILABLE,
    }
    peer = _side(greeting=2000, p50=3100, p95=5000, clear=480, interrupted=True, cpu=60, rss=1600)
    # WHEN compared
    table = compare(ours, peer)
    # THEN every figure of the issue has both sides and a ratio (below 1: we are better)
    assert table["greeting_p50_ms"] == {"ours": 5, "pipecat": 2000, "ratio": 0.0025}
    assert table["v2v_p50_ms"]["ratio"] == 0.323
    assert table["barge_in_clear_ms"]["ratio"] == 0.5
    assert table["false_interruptions_by_mm_hmm"] == {"ours": 0, "pipecat": 1, "ratio": 0.0}
    assert table["cpu_s_per_call"]["ratio"] == 0.5
    assert table["peak_rss_mb"]["ratio"] == 0.938
    # AND each reply kind is set against the peer's voice-to-voice; an unseen kind says so
    assert table["v2v_scripted_p50_ms"] == {"ours": 1085, "pipecat": 3100, "ratio": 0.35}
    assert table["v2v_led_p95_ms"] == {"ours": NOT_AVAILABLE, "pipecat": 5000, "ratio": None}


def test_a_peer_that_could_not_run_is_reported_not_hidden() -> None:
    ours = _side(greeting=5, p50=1000, p95=1700, clear=240, interrupted=False, cpu=30, rss=1500)
    assert compare(ours, {"error": "the Pipecat peer exited with 1"}) == {"peer": "the Pipecat peer exited with 1"}


def test_the_mm_hmm_call_reports_the_clear_and_when_the_agent_was_heard_again() -> None:
    # GIVEN the backchannel call: the agent's reply was cleared 210 ms into the "mm-hmm" and the agent was
    # heard again 650 ms after it ended (agent turn 2 answers caller turn 2, the "mm-hmm")
    turns = (
        Turn(speaker="agent", text="", start_ms=0, end_ms=3000, latency_ms=5.0, reply_to=0),
        Turn(speaker="agent", text="", start_ms=6000, end_ms=9000, latency_ms=900.0, reply_to=1),
        Turn(speaker="agent", text="", start_ms=11000, end_ms=12000, latency_ms=650.0, reply_to=2),
    )
    result = CallResult(
        call_sid="CA1", scenario="caller-backchannel", outcome="agent_hung_up", barge_in_ms=210.0, turns=turns
    )
    # WHEN summarized THEN it counts as an interruption, with both delays
    summary = backchannel_summary(result, load_scenario(BACKCHANNEL_SCENARIO))
    assert summary["interrupted"] is True
    assert summary["clear_ms"] == 210.0
    assert summary["next_audio_ms"] == 650.0


def test_cpu_targets_read_the_one_call_phase_and_the_4_call_load() -> None:
    report = {
        "ours": {
            **_side(greeting=5, p50=1000, p95=1700, clear=240, interrupted=False, cpu=30, rss=1500),
            "peak_rss_mb": 1900,
            "load": {"4": {"voice_to_voice_ms": {"p50": 2300, "p95": 12600}}},
        }
    }
    checks = verdicts(report, device="cpu")
    assert checks["v2v_p50_ms"] == {"measured": 1000, "target": 1200, "met": True}
    assert checks["v2v_p95_ms_at_4"]["met"] is False
    gpu = verdicts({"ours": {"load": {"32": {"voice_to_voice_ms": {"p50": 280, "p95": 520}}}}}, device="cuda")
    assert gpu == {
        "v2v_p50_ms_at_32": {"measured": 280, "target": 300, "met": True},
        "v2v_p95_ms_at_32": {"measured": 520, "target": 500, "met": False},
    }
