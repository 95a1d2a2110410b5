"""KokoroOnnxTextToSpeech: the int8 Kokoro model with the prepared English voices."""

from __future__ import annotations

import time

import numpy as np
import pytest

from gpu_worker.models.text_to_speech import KOKORO_SAMPLE_RATE, KokoroOnnxTextToSpeech, SpeechSynthesisError
from tests.gpu_worker.spoken_audio import kokoro

pytestmark = pytest.mark.slow

SENTENCE = "Thanks for calling Bob's Plumbing, how can I help you today?"  # 11 words


@pytest.fixture(scope="module")
def tts() -> KokoroOnnxTextToSpeech:
    return kokoro()


async def test_a_sentence_sounds_like_a_sentence(tts):
    # GIVEN an eleven-word greeting
    # WHEN it is synthesized with the default voice
    started = time.perf_counter()
    speech = await tts.synthesize(SENTENCE)
    elapsed = time.perf_counter() - started
    print(f"\n{speech.duration_s:.2f} s of audio in {elapsed:.2f} s (RTF {elapsed / speech.duration_s:.2f})")
    # THEN it lasts as long as speaking it takes, at 24 kHz, audible and not clipped
    assert speech.sample_rate == KOKORO_SAMPLE_RATE == tts.sample_rate
    assert speech.samples.dtype == np.float32
    assert 2.0 < speech.duration_s < 6.0
    assert float(np.sqrt(np.mean(speech.samples**2))) > 0.02
    assert float(np.max(np.abs(speech.samples))) <= 1.0


async def test_a_business_can_pick_another_voice(tts):
    # GIVEN the same text
    # WHEN it is spoken by two voices
    heart = await tts.synthesize("We can be there in an hour.", voice="af_heart")
    michael = await tts.synthesize("We can be there in an hour.", voice="am_michael")
    # THEN both voices are available and they do not sound the same
    assert {"af_heart", "am_michael", "af_bella"} <= set(tts.voices)
    n = min(len(heart.samples), len(michael.samples))
    assert not np.allclose(heart.samples[:n], michael.samples[:n], atol=1e-3)


async def test_unknown_voice_is_a_clear_error(tts):
    # GIVEN a voice that was never prepared
    # WHEN it is asked for
    # THEN the error names it and the voices there are
    with pytest.raises(SpeechSynthesisError, match=r"zz_nobody.*af_heart"):
        await tts.synthesize("Hello.", voice="zz_nobody")


async def test_empty_text_is_refused(tts):
    # GIVEN nothing to say
    # WHEN it is synthesized
    # THEN it is refused rather than producing silence
    with pytest.raises(SpeechSynthesisError, match="empty"):
        await tts.synthesize("   ")


def torch_cuda_ready() -> bool:
    import importlib.util

    if importlib.util.find_spec("kokoro") is None or importlib.util.find_spec("torch") is None:
        return False
    import torch

    return bool(torch.cuda.is_available())


@pytest.mark.gpu
@pytest.mark.skipif(not torch_cuda_ready(), reason="needs CUDA and the kokoro package (GPU worker image only)")
async def test_kokoro_torch_speaks_on_cuda():
    from gpu_worker.models.text_to_speech import KokoroTorchTextToSpeech

    # GIVEN the PyTorch Kokoro pipeline on the GPU
    tts = KokoroTorchTextToSpeech(voice="af_heart")
    # WHEN a greeting is synthesized
    speech = await tts.synthesize(SENTENCE)
    # THEN it is audible 24 kHz speech of a sentence's length
    assert speech.sample_rate == KOKORO_SAMPLE_RATE
    assert 2.0 < speech.duration_s < 6.0
    assert float(np.sqrt(np.mean(speech.samples**2))) > 0.02
