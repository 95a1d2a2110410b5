"""The language model on llama.cpp (xllamacpp, in process) with a GGUF chat model.

One llama.cpp server context holds `slots` parallel sequences (continuous batching), so up to that
many calls generate at once. Each request blocks one thread of this model's own pool inside
xllamacpp (the GIL is released); tokens cross to the event loop through `call_soon_threadsafe`.

Stopping: xllamacpp calls back once per streamed chunk and stops the request (cancelling the slot's
task) when the callback returns True. Closing the async iterator sets a flag the next callback
returns, so generation stops within one token step (~25 ms alone, longer with all slots busy).
During prompt processing there is no callback; a stop then waits for the first token.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gpu_worker.models.model_files import MODEL_NAMES, model_path
from gpu_worker.models.stages import ChatMessage
from shared.settings import Settings

logger = logging.getLogger(__name__)

CONTEXT_PER_SLOT = 2048


class LanguageModelError(RuntimeError):
    """The model refused or failed a request; the message carries its reason."""


@dataclass(frozen=True)
class _Finished:
    error: str | None = None


def resolve_gguf(settings: Settings) -> Path:
    """The GGUF for settings.llm_model: a bundled name (see model_files) or a path to a .gguf file."""
    if settings.llm_model in MODEL_NAMES:
        return model_path(settings, settings.llm_model)
    return Path(settings.llm_model)


def chat_payload(messages: Sequence[ChatMessage]) -> list[dict[str, str]]:
    return [{"role": m.role, "content": m.content} for m in messages]


def _chunk_error(chunk: Mapping[str, Any]) -> str | None:
    if "error" in chunk:
        error = chunk["error"]
        return str(error.get("message", error) if isinstance(error, Mapping) else error)
    if "choices" not in chunk and "message" in chunk:  # xllamacpp's own wrapper errors
        return str(chunk["message"])
    return None


def _delta_text(chunk: Mapping[str, Any]) -> str:
    choices = chunk.get("choices") or []
    if not choices:
        return ""
    return str(choices[0].get("delta", {}).get("content") or "")


class LlamaCppLanguageModel:
    """LanguageModel on an in-process llama.cpp server (xllamacpp)."""

    def __init__(
        self,
        *,
        gguf: Path,
        slots: int = 4,
        cpu_threads: int = 2,
        context_per_slot: int = CONTEXT_PER_SLOT,
        model_name: str | None = None,
    ) -> None:
        import xllamacpp  # native library: loaded only where the model is used

        if not gguf.is_file():
            raise LanguageModelError(f"GGUF model {gguf} is missing: run `make models`")
        params = xllamacpp.CommonParams()
        params.model.path = str(gguf)
        params.port = 0  # its HTTP listener is unused; an ephemeral port never collides
        params.n_parallel = slots
        params.n_ctx = slots * context_per_slot
        params.cpuparams.n_threads = cpu_threads
        params.cpuparams_batch.n_threads = cpu_threads
        # No busy-wait between ops: STT and TTS share these cores, and spinning threads slowed
        # first tokens 2-6x here whenever anything else ran (measured, poll 50 vs 0).
        params.cpuparams.poll = 0
        params.cpuparams_batch.poll = 0
        params.warmup = True
        params.verbosity = 0
        self.model_name = model_name or f"llama.cpp:{gguf.name}"
        self.slots = slots
        self._server = xllamacpp.Server(params)
        self._active = 0
        self._active_lock = threading.Lock()
        # One thread per slot plus one so complete_json never waits behind four streaming calls.
        self._executor = ThreadPoolExecutor(max_workers=slots + 1, thread_name_prefix="llm")

    @classmethod
    def from_settings(cls, settings: Settings) -> LlamaCppLanguageModel:
        return cls(
            gguf=resolve_gguf(settings),
            slots=settings.worker_capacity,
            cpu_threads=settings.cpu_threads,
            model_name=f"llama.cpp:{settings.llm_model}",
        )

    async def stream_reply(
        self, messages: Sequence[ChatMessage], *, max_tokens: int = 96, temperature: float = 0.3
    ) -> AsyncIterator[str]:
        """Stream the reply's text deltas; closing the iterator stops generation (see module doc)."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[str | _Finished] = asyncio.Queue()
        stop = threading.Event()
        request = {
            "messages": chat_payload(messages),
            "stream": True,
            "max_tokens": max_tokens,
            "temperature": temperature,
        }

        def on_chunk(chunk: dict[str, Any]) -> bool:
            if stop.is_set():
                return True
            error = _chunk_error(chunk)
            if error is not None:
                loop.call_soon_threadsafe(queue.put_nowait, _Finished(error=error))
                return True
            text = _delta_text(chunk)
            if text:
                loop.call_soon_threadsafe(queue.put_nowait, text)
            return False

        def run() -> None:
            finished = _Finished()
            try:
                with self._counting():
                    self._server.handle_chat_completions(request, on_chunk)
            except ValueError as error:  # xllamacpp's refusal of a malformed request
                finished = _Finished(error=str(error))
            finally:
                loop.call_soon_threadsafe(queue.put_nowait, finished)

        future = loop.run_in_executor(self._executor, run)
        try:
            while True:
                item = await queue.get()
                if isinstance(item, _Finished):
                    if item.error is not None:
                        raise LanguageModelError(item.error)
                    break
                yield item
        finally:
            stop.set()
            await _settle(future)

    @property
    def active_requests(self) -> int:
        """Requests whose generation thread is still running (a stopped stream leaves this at once)."""
        with self._active_lock:
            return self._active

    @contextmanager
    def _counting(self) -> Iterator[None]:
        with self._active_lock:
            self._active += 1
        try:
            yield
        finally:
            with self._active_lock:
                self._active -= 1

    async def complete_json(
        self, messages: Sequence[ChatMessage], *, schema: Mapping[str, Any], max_tokens: int = 400
    ) -> str:
        """Text constrained by the JSON schema through llama.cpp's grammar sampling."""
        request = {
            "messages": chat_payload(messages),
            "max_tokens": max_tokens,
            "temperature": 0.0,
            "response_format": {"type": "json_schema", "json_schema": {"schema": dict(schema)}},
        }
        loop = asyncio.get_running_loop()
        started = time.perf_counter()
        response: dict[str, Any] = await loop.run_in_executor(self._executor, self._complete_blocking, request)
        error = _chunk_error(response)
        if error is not None:
            raise LanguageModelError(error)
        content = str(response["choices"][0]["message"]["content"] or "")
        logger.debug("json completion", extra={"elapsed_s": round(time.perf_counter() - started, 3)})
        return content

    def _complete_blocking(self, request: dict[str, Any]) -> dict[str, Any]:
        with self._counting():
            try:
                response: dict[str, Any] = self._server.handle_chat_completions(request)
            except ValueError as error:  # e.g. a schema llama.cpp cannot turn into a grammar
                raise LanguageModelError(str(error)) from error
            return response

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


async def _settle(future: asyncio.Future[None]) -> None:
    """Wait for the request's thread to return (it does within one token once stopped)."""
    try:
        await asyncio.shield(future)
    except asyncio.CancelledError:
        raise
    except Exception:
        logger.exception("language model request thread failed")
