"""The phrase caches: a call's own lines never push the worker's fixed lines out."""

from __future__ import annotations

from gpu_worker.telephony.voice_output import CallPhrases, PhraseCache
from tests.gpu_worker.fake_stages import FakeTts


async def test_many_calls_own_lines_leave_the_fixed_lines_cached() -> None:
    # GIVEN a worker whose shared cache holds its fixed lines (and has room for no more)
    tts = FakeTts()
    shared = PhraseCache(tts=tts, max_entries=2)
    await shared.prepare("What's your name?", "af_heart")
    await shared.prepare("Thanks for calling.", "af_heart")
    # WHEN fifty calls each prepare their own caller-ID question
    for caller in range(50):
        call = CallPhrases(shared)
        await call.prepare_own(f"Is the number ending in {caller:04d} best?", "af_heart", tts)
        # THEN each call finds its own line and the fixed ones without synthesizing again
        assert call.cached(f"Is the number ending in {caller:04d} best?", "af_heart") is not None
        assert call.cached("What's your name?", "af_heart") is not None
    assert shared.cached("Thanks for calling.", "af_heart") is not None
    assert tts.texts.count("What's your name?") == 1
