"""After the caller hangs up: the definition's open fields filled from the transcript, then the durable
report. Runs beside the next calls.

A call's report is never dropped: if extraction fails the report goes with the transcript and
`extraction_failed`; if the worker shuts down mid-extraction the report is written without it.
"""

from __future__ import annotations

import asyncio
import logging
import time

from gpu_worker.after_call.call_record import CallRecord
from gpu_worker.after_call.field_extraction import complete_fields, legacy_extraction
from gpu_worker.after_call.recording_upload import upload_recording
from gpu_worker.after_call.report_outbox import ReportOutbox
from gpu_worker.models.stages import LanguageModel
from shared.agents.templates import load_template
from shared.blob_storage import BlobStorage
from shared.call_report import CallReport
from shared.structured_logging import call_sid_var

log = logging.getLogger(__name__)


class PostCallPipeline:
    def __init__(self, *, llm: LanguageModel, outbox: ReportOutbox, blobs: BlobStorage | None = None) -> None:
        """`blobs`: where recorded calls are uploaded (None: recordings are dropped, logged)."""
        self._llm = llm
        self._outbox = outbox
        self._blobs = blobs
        self._running: dict[asyncio.Task[None], CallRecord] = {}
        # Calls of workers that predate agent definitions (or a record without one) read as plumbing intake.
        self._default_definition = load_template("plumbing")

    @property
    def pending(self) -> int:
        return len(self._running)

    def schedule(self, record: CallRecord) -> None:
        task = asyncio.create_task(self._complete(record), name=f"post-call-{record.call_sid}")
        self._running[task] = record
        task.add_done_callback(self._running.pop)

    async def _complete(self, record: CallRecord) -> None:
        call_sid_var.set(record.call_sid)
        started = time.perf_counter()
        report = record.to_report()
        async with asyncio.TaskGroup() as group:  # the recording uploads while the fields are extracted
            group.create_task(upload_recording(self._blobs, record), name="recording-upload")
            outcome = await complete_fields(
                self._llm,
                definition=record.definition or self._default_definition,
                known=report.fields,
                transcript=report.transcript,
                caller_number=record.from_number,
                language=record.language,
            )
        uploaded = record.to_report()
        report = report.model_copy(
            update={
                "recording_key": uploaded.recording_key,
                "recording_ms": uploaded.recording_ms,
                "fields": list(outcome.fields),
                "extraction": legacy_extraction(outcome.fields, outcome.notes) if outcome.status == "ok" else None,
                "extraction_status": outcome.status,
                "extraction_error": outcome.error,
            }
        )
        await self._outbox.enqueue(report)
        elapsed_ms = (time.perf_counter() - started) * 1000
        log.info("call report queued", extra={"extraction": outcome.status, "ms": round(elapsed_ms)})

    async def aclose(self) -> None:
        """Shutdown: reports still being extracted are written as they are, never lost."""
        for task, record in list(self._running.items()):
            task.cancel()
            if await _finished_normally(task):
                continue
            report: CallReport = record.to_report().model_copy(
                update={"extraction_status": "failed", "extraction_error": "worker stopped during extraction"}
            )
            await self._outbox.enqueue(report)


async def _finished_normally(task: asyncio.Task[None]) -> bool:
    try:
        await task
    except asyncio.CancelledError:
        return False
    except Exception:
        log.exception("post-call work failed")
        return False
    return True
