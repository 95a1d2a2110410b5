"""The benchmark's arithmetic: what each reported figure means."""

from __future__ import annotations

from buddyhelps.bench.figures import (
    NOT_AVAILABLE,
    backchannel_verdict,
    merge_kind_splits,
    percentile,
    ratio,
    speculation_rate,
    split_by_reply_kind,
    summarize,
)


def _turn(v2v: float, kind: str | None = None, adopted: bool | None = None) -> dict[str, object]:
    return {"turn": 0, "voice_to_voice_ms": v2v, "reply_kind": kind, "speculation_adopted": adopted}


def test_percentiles_report_a_measured_value_not_an_interpolation() -> None:
    # GIVEN ten latencies WHEN summarized THEN p50 and p95 are values that occurred
    values = [100.0, 200.0, 300.0, 400.0, 500.0, 600.0, 700.0, 800.0, 900.0, 5000.0]
    assert summarize(values) == {"n": 10, "p50": 500.0, "p95": 5000.0, "mean": 950.0}
    assert percentile([], 50) is None


def test_ratio_is_ours_over_the_peer_and_missing_when_either_is() -> None:
    assert ratio(1000.0, 3100.0) == 0.323
    assert ratio(5.0, 2000.0) == 0.0025
    assert ratio(None, 3100.0) is None
    assert ratio(1000.0, None) is None
    assert ratio(1.0, 0) is None


def test_given_the_engine_marks_reply_kinds_then_caller_figures_split_by_kind() -> None:
    # GIVEN a call whose caller measured three replies, and a worker that recorded their kinds
    caller = [900.0, 2400.0, 800.0]
    worker = [_turn(850, "scripted", True), _turn(2300, "llm", False), _turn(790, "scripted", True)]
    # WHEN split THEN the caller's figures are grouped by the worker's kinds, in order
    split = split_by_reply_kind(caller, worker)
    assert split == {"source": "caller", "kinds": {"scripted": [900.0, 800.0], "llm": [2400.0]}}
    # AND merged over calls, every kind is reported; the ones never seen say so
    merged = merge_kind_splits([split])
    assert merged["scripted"]["p50"] == 800.0
    assert merged["llm"]["n"] == 1
    assert merged["led"] == NOT_AVAILABLE
    assert speculation_rate(worker) == {"turns": 3, "adopted": 2}


def test_given_turns_counted_differently_then_the_workers_own_figures_are_used_and_said() -> None:
    # GIVEN the caller heard two replies but the worker recorded three (a retracted reply)
    split = split_by_reply_kind([900.0, 2400.0], [_turn(850, "scripted"), _turn(50, "llm"), _turn(2300, "llm")])
    # THEN the split uses the worker's voice-to-voice and names its source
    assert split == {"source": "worker", "kinds": {"scripted": [850.0], "llm": [50.0, 2300.0]}}


def test_given_no_reply_kinds_recorded_then_not_available() -> None:
    # GIVEN a worker that does not record reply kinds yet
    split = split_by_reply_kind([900.0], [_turn(850)])
    # THEN nothing is made up
    assert split["source"] == NOT_AVAILABLE
    merged = merge_kind_splits([split])
    assert merged["source"] == NOT_AVAILABLE
    assert merged["scripted"] == NOT_AVAILABLE
    assert speculation_rate([_turn(850)]) == NOT_AVAILABLE


def test_a_backchannel_that_drew_a_clear_counts_as_an_interruption() -> None:
    assert backchannel_verdict(clear_ms=212.34, next_audio_ms=640.0) == {
        "interrupted": True,
        "clear_ms": 212.3,
        "next_audio_ms": 640.0,
    }
    assert backchannel_verdict(clear_ms=None, next_audio_ms=None)["interrupted"] is False
