"""The benchmark's peer: a stock Pipecat 1.14 phone agent on the same CPU models as the worker.

Run by `buddyhelps bench` with `.venv-pipecat/bin/python` (built by scripts/pipecat_peer_venv.sh), never
imported by the project. Wired as Pipecat's Twilio example: a FastAPI app answers the voice webhook
with `<Connect><Stream>` TwiML and serves the Media Stream WebSocket; each call gets its own pipeline
(transport in → Whisper STT → user context → LLM → Kokoro TTS → transport out → assistant context)
with Silero VAD and Pipecat's default turn stop strategy (Smart Turn v3), as the example builds it.
Nothing is tuned beyond what Pipecat ships; only the model files are pointed at `.models/` (no network
here) and auto hang-up is off (there is no Twilio REST API to call). The LLM is llama.cpp's
OpenAI-compatible server (xllamacpp) in this process, with the worker's GGUF, threads and slots.

    .venv-pipecat/bin/python bench_peer/pipecat_peer.py --port 8102 --llm-port 8103 --config peer.json
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

import uvicorn
import xllamacpp
from fastapi import FastAPI, Request, WebSocket
from fastapi.responses import JSONResponse, Response
from pipecat.audio.vad.silero import SileroVADAnalyzer
from pipecat.frames.frames import TTSSpeakFrame
from pipecat.pipeline.pipeline import Pipeline
from pipecat.pipeline.worker import PipelineParams, PipelineWorker
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.aggregators.llm_response_universal import (
    LLMContextAggregatorPair,
    LLMUserAggregatorParams,
)
from pipecat.serializers.twilio import TwilioFrameSerializer
from pipecat.services.kokoro.tts import KokoroTTSService
from pipecat.services.openai.llm import OpenAILLMService
from pipecat.services.whisper.stt import WhisperSTTService
from pipecat.transports.websocket.fastapi import FastAPIWebsocketParams, FastAPIWebsocketTransport
from pipecat.workers.runner import WorkerRunner


def start_llm_server(gguf: Path, *, port: int, slots: int, threads: int) -> Any:
    """llama.cpp's HTTP server (OpenAI-compatible) on loopback, as a local LLM would be served."""
    params = xllamacpp.CommonParams()
    params.model.path = str(gguf)
    params.hostnames = ["127.0.0.1"]
    params.port = port
    params.n_parallel = slots
    params.n_ctx = slots * 2048
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.cpuparams.poll = 0  # the worker's setting for the same server (shared cores)
    params.cpuparams_batch.poll = 0
    params.verbosity = 0
    return xllamacpp.Server(params)


async def run_bot(websocket: WebSocket, config: dict[str, Any], start: dict[str, Any]) -> None:
    """One call: Pipecat's Twilio example pipeline on the local models."""
    models = Path(config["models_dir"])
    serializer = TwilioFrameSerializer(
        stream_sid=start["streamSid"],
        call_sid=start.get("callSid"),
        params=TwilioFrameSerializer.InputParams(auto_hang_up=False),
    )
    transport = FastAPIWebsocketTransport(
        websocket=websocket,
        params=FastAPIWebsocketParams(
            audio_in_enabled=True, audio_out_enabled=True, add_wav_header=False, serializer=serializer
        ),
    )
    stt = WhisperSTTService(model=str(models / "whisper-base"), device="cpu", compute_type="int8")
    llm = OpenAILLMService(base_url=f"http://127.0.0.1:{config['llm_port']}/v1", api_key="local", model="qwen2.5-0.5b")
    tts = KokoroTTSService(
        model_path=str(models / "kokoro" / "kokoro-v1.0.int8.onnx"),
        voices_path=str(models / "kokoro" / "voices.npz"),
        settings=KokoroTTSService.Settings(voice=config["voice"]),
    )
    context = LLMContext([{"role": "system", "content": config["system_prompt"]}])
    user_aggregator, assistant_aggregator = LLMContextAggregatorPair(
        context, user_params=LLMUserAggregatorParams(vad_analyzer=SileroVADAnalyzer())
    )
    pipeline = Pipeline(
        [
            transport.input(),
            stt,
            user_aggregator,
            llm,
            tts,
            transport.output(),
            assistant_aggregator,
        ]
    )
    worker = PipelineWorker(
        pipeline,
        params=PipelineParams(
            audio_in_sample_rate=8000, audio_out_sample_rate=8000, enable_metrics=True, enable_usage_metrics=True
        ),
    )
    runner = WorkerRunner(handle_sigint=False)
    await runner.add_workers(worker)

    @transport.event_handler("on_client_connected")  # type: ignore[untyped-decorator]
    async def on_client_connected(transport: Any, client: Any) -> None:
        # The business's fixed greeting, spoken through the pipeline's TTS (Pipecat's way to say a line).
        await worker.queue_frames([TTSSpeakFrame(config["greeting"])])

    @transport.event_handler("on_client_disconnected")  # type: ignore[untyped-decorator]
    async def on_client_disconnected(transport: Any, client: Any) -> None:
        await runner.cancel()

    await runner.run()


def build_app(config: dict[str, Any]) -> FastAPI:
    app = FastAPI()

    @app.get("/health")
    async def health() -> JSONResponse:
        return JSONResponse({"ready": True, "pid": os.getpid(), "models": {"pipecat": "1.14.0"}})

    @app.post("/incoming-call")
    async def incoming_call(request: Request) -> Response:
        stream_url = f"ws://127.0.0.1:{config['port']}/ws"
        twiml = f"<Response><Connect><Stream url={quoteattr(stream_url)}></Stream></Connect></Response>"
        return Response(content=twiml, media_type="application/xml")

    @app.post("/call-status")
    async def call_status(request: Request) -> Response:
        return Response(status_code=204)

    @app.websocket("/ws")
    async def media_stream(websocket: WebSocket) -> None:
        await websocket.accept()
        messages = websocket.iter_text()
        await messages.__anext__()  # "connected"
        start = json.loads(await messages.__anext__())["start"]  # as Pipecat's example reads it
        await run_bot(websocket, config, start)

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path, required=True, help="JSON: models_dir, system_prompt, greeting, voice")
    parser.add_argument("--port", type=int, default=8102)
    parser.add_argument("--llm-port", type=int, default=8103)
    parser.add_argument("--llm-slots", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    config = {**json.loads(args.config.read_text(encoding="utf-8")), "port": args.port, "llm_port": args.llm_port}
    gguf = Path(config["models_dir"]) / "qwen2.5-0.5b-instruct-q4_k_m.gguf"
    server = start_llm_server(gguf, port=args.llm_port, slots=args.llm_slots, threads=args.threads)
    try:
        uvicorn.run(build_app(config), host="127.0.0.1", port=args.port, log_level="warning")
    finally:
        del server


if __name__ == "__main__":
    main()
