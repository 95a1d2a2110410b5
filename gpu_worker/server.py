"""The GPU worker: one long-lived process holding the models, answering Twilio media streams.

`create_app(settings, models=None)` is the one server for every platform (local, RunPod, Modal).
The lifespan loads and warms every model once and pre-synthesizes each business's greeting (its other
fixed lines follow in the background, between calls); /health says ready only after that. Its URL is
public: only /health (what routing needs) and the media socket (which checks the stream token on
`start`) are open; every other route wants the functions' bearer token, and the OpenAPI schema is off.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request, WebSocket
from fastapi.responses import JSONResponse, StreamingResponse

from gpu_worker.after_call.call_record import CallRecord
from gpu_worker.after_call.post_call import PostCallPipeline
from gpu_worker.after_call.recording_upload import recording_storage
from gpu_worker.after_call.report_outbox import ReportOutbox
from gpu_worker.conversation.agent_reply import FALLBACK_LINE
from gpu_worker.conversation.business_config import lines_to_prepare
from gpu_worker.conversation.call_session import CallSession, WorkerServices
from gpu_worker.models.stage_metrics import CountedModels, count_models
from gpu_worker.models.stages import ModelSet
from gpu_worker.routes.live_events import LiveEvents
from gpu_worker.routes.worker_auth import require_worker_token
from gpu_worker.telephony.call_admission import CallAdmission
from gpu_worker.telephony.media_socket import StarletteMediaSocket
from gpu_worker.telephony.voice_output import PhraseCache
from gpu_worker.tools.knowledge import DocumentAnswerer
from shared.database import Database, open_database
from shared.settings import Settings

log = logging.getLogger(__name__)
TRY_AGAIN_LATER = 1013
INTERNAL_ERROR = 1011


@dataclass
class WorkerState:
    settings: Settings
    admission: CallAdmission
    events: LiveEvents = field(default_factory=LiveEvents)
    ready: bool = False
    calls_handled: int = 0
    frames_received: int = 0
    frames_dropped: int = 0
    counted: CountedModels | None = None
    phrases: PhraseCache | None = None
    post_call: PostCallPipeline | None = None
    outbox: ReportOutbox | None = None
    knowledge: DocumentAnswerer | None = None  # set once the embedding model is loaded (knowledge room)
    phrases_pending: int = 0  # fixed lines not yet synthesized (they are made in the background after ready)
    _database: Database | None = None
    _db_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def models(self) -> ModelSet:
        assert self.counted is not None, "models are not loaded yet"
        return self.counted.models

    async def database(self) -> Database:
        async with self._db_lock:
            if self._database is None:
                self._database = await open_database(
                    self.settings.database_url, auth_token=self.settings.turso_auth_token
                )
        return self._database

    def services(self) -> WorkerServices:
        assert self.phrases is not None
        assert self.post_call is not None
        post_call = self.post_call
        return WorkerServices(
            settings=self.settings,
            models=self.models,
            phrases=self.phrases,
            events=self.events,
            database=self.database,
            finish_call=post_call.schedule,
            admission=self.admission,
            knowledge=self.knowledge,
        )

    def health(self) -> dict[str, Any]:
        """Public: only what routing a call needs (no transcripts, numbers or internals)."""
        return {
            "ready": self.ready,
            "worker_id": self.settings.worker_id,
            "active_calls": self.admission.active,
            "capacity": self.admission.capacity,
            "models": self.models.names() if self.counted else {},
        }

    def status(self) -> dict[str, Any]:
        """For the functions and the CLI (token required): health plus the process's internals."""
        return {
            **self.health(),
            "pid": os.getpid(),
            "calls_handled": self.calls_handled,
            "frames": {"received": self.frames_received, "dropped": self.frames_dropped},
            "sockets": {
                "waiting_for_start": self.admission.waiting,
                "evicted": self.admission.evicted,
                "refused_full": self.admission.refused_full,
            },
            "queue_depth": {name: s.in_flight for name, s in self.counted.stats.items()} if self.counted else {},
            "post_call_pending": self.post_call.pending if self.post_call else 0,
            "phrases_pending": self.phrases_pending,
            "report_outbox": self.outbox.state() if self.outbox else None,
        }


Phrase = tuple[str, str, bool]  # (text, voice, whole): a greeting is cached whole, fixed lines clause by clause


async def _phrases_to_prepare(state: WorkerState) -> list[Phrase]:
    """Each business's greeting and its definition's fixed lines, plus the worker's own lines."""
    phrases: list[Phrase] = []
    try:
        phrases = await lines_to_prepare(await state.database(), llm=state.models.llm)
    except Exception:
        log.exception("could not read the agents' lines to pre-synthesize; they will be made on first use")
    voices = {state.settings.tts_voice} | {voice for _, voice, _ in phrases}
    return phrases + [(line, voice, False) for voice in sorted(voices) for line in (FALLBACK_LINE,)]


async def _prepare_phrases(state: WorkerState, phrases: list[Phrase], *, between_calls: bool = False) -> None:
    """`between_calls`: synthesize only while no call is on the worker (one TTS thread serves everything
    in order, so a background line would make a caller wait; a line a call needs is made for it then)."""
    assert state.phrases is not None
    for text, phrase_voice, whole in phrases:
        if between_calls:
            await state.admission.wait_idle()
        try:
            if whole:
                await state.phrases.frames(text, phrase_voice)
            else:
                await state.phrases.prepare(text, phrase_voice)
        except Exception:
            # One bad line (an unknown voice, say) must not keep every other call from being answered.
            log.exception("could not pre-synthesize a phrase; it will be tried again on first use")
        state.phrases_pending = max(0, state.phrases_pending - 1)
    log.info("phrases ready", extra={"count": len(phrases)})


async def _warm_up(state: WorkerState) -> asyncio.Task[None]:
    """Greetings before the worker says it is ready (a caller never waits for one); every other fixed line
    in the background afterwards, between calls. Start-up used to wait for all of them: with many agents
    and languages that was minutes on CPU. A line missing when a call needs it is made then, as any clause."""
    phrases = await _phrases_to_prepare(state)
    greetings = [phrase for phrase in phrases if phrase[2]]
    lines = [phrase for phrase in phrases if not phrase[2]]
    state.phrases_pending = len(phrases)
    await _prepare_phrases(state, greetings)
    return asyncio.create_task(_prepare_phrases(state, lines, between_calls=True), name="fixed-lines")


def _lifespan(state: WorkerState, preloaded: ModelSet | None) -> Any:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from gpu_worker.models.model_loader import load_models

        started = time.perf_counter()
        state.counted = count_models(preloaded or await load_models(state.settings))
        app.state.models = state.models
        state.phrases = PhraseCache(tts=state.models.tts)
        state.outbox = ReportOutbox(
            directory=state.settings.outbox_dir,
            url=state.settings.report_url,
            secret=state.settings.dashboard_webhook_secret,
        )
        await state.outbox.start()
        state.post_call = PostCallPipeline(
            llm=state.models.llm, outbox=state.outbox, blobs=recording_storage(state.settings)
        )
        warming = await _warm_up(state)
        state.ready = True
        log.info("worker ready", extra={"ms": round((time.perf_counter() - started) * 1000)})
        try:
            yield
        finally:
            state.ready = False
            warming.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await warming
            await state.post_call.aclose()
            await state.outbox.aclose()
            if state._database is not None:
                await state._database.close()

    return lifespan


def worker_state(request: Request) -> WorkerState:
    state: WorkerState = request.app.state.worker
    return state


StateDep = Annotated[WorkerState, Depends(worker_state)]
public = APIRouter()
router = APIRouter(dependencies=[Depends(require_worker_token)])


@public.get("/health")
async def health(state: StateDep) -> JSONResponse:
    return JSONResponse(state.health(), status_code=200 if state.ready else 503)


@router.get("/status")
async def status(state: StateDep) -> JSONResponse:
    return JSONResponse(state.status(), status_code=200 if state.ready else 503)


@router.get("/stt/stats")
async def stt_stats(state: StateDep) -> JSONResponse:
    if state.counted is None:
        return JSONResponse({"error": "models are not loaded yet"}, status_code=503)
    return JSONResponse(
        {
            "model": state.models.stt.model_name,
            **state.counted.stats["stt"].summary(),
            "stages": state.counted.summary(),
        }
    )


@router.get("/calls/live")
async def live_calls(state: StateDep) -> JSONResponse:
    return JSONResponse(list(state.events.active.values()))


@router.get("/events")
async def events(state: StateDep, request: Request) -> StreamingResponse:
    async def stream() -> AsyncIterator[str]:
        async with state.events.subscribe() as queue:
            yield ": connected\n\n"
            while not await request.is_disconnected():
                try:
                    async with asyncio.timeout(15):  # not wait_for: it can drop shutdown's cancel on 3.11
                        event = await queue.get()
                except TimeoutError:
                    yield ": keep-alive\n\n"  # proxies close idle streams
                    continue
                yield f"data: {json.dumps(event)}\n\n"

    return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


@public.websocket("/ws/twilio")
async def twilio_stream(websocket: WebSocket) -> None:
    """A call counts against capacity only once its `start` is valid (see telephony/call_admission.py)."""
    state: WorkerState = websocket.app.state.worker
    await websocket.accept()
    if not state.ready:
        await websocket.close(TRY_AGAIN_LATER)
        return
    session = CallSession(services=state.services(), socket=StarletteMediaSocket(websocket))
    try:
        await session.run()
    except Exception:
        # One broken call must never take the worker down with it, nor leave Twilio's socket open.
        log.exception("call session failed")
        record: CallRecord | None = session.record
        if record is not None:
            record.end_reason = "error"
        await _close_quietly(websocket, INTERNAL_ERROR)
    finally:
        state.calls_handled += session.record is not None
        state.frames_received += session.frames_received
        state.frames_dropped += session.frames_dropped


async def _close_quietly(websocket: WebSocket, code: int) -> None:
    try:
        await websocket.close(code)
    except RuntimeError as error:  # already closed by the peer: nothing left to do
        log.info("socket already closed", extra={"reason": str(error)})


def create_app(settings: Settings, models: ModelSet | None = None) -> FastAPI:
    from gpu_worker.knowledge.embed_route import router as knowledge_router
    from gpu_worker.routes.agent_try_route import router as agent_try_router
    from gpu_worker.routes.extraction_route import router as extraction_router
    from gpu_worker.routes.pipeline_route import router as pipeline_router
    from gpu_worker.routes.transcribe_route import router as transcribe_router

    state = WorkerState(settings=settings, admission=CallAdmission(capacity=settings.worker_capacity))
    app = FastAPI(
        title="BuddyHelps worker",
        lifespan=_lifespan(state, models),
        docs_url=None,
        redoc_url=None,
        openapi_url=None,  # the schema would map every route for whoever finds the public URL
    )
    app.state.worker = state
    app.state.worker_api_token = settings.worker_api_token
    app.include_router(public)
    app.include_router(router)
    authorized = [Depends(require_worker_token)]
    app.include_router(pipeline_router, dependencies=authorized)
    app.include_router(extraction_router, dependencies=authorized)
    app.include_router(agent_try_router, dependencies=authorized)
    app.include_router(transcribe_router, dependencies=authorized)
    app.include_router(knowledge_router)  # its lifespan loads the embedding model after the others
    return app
