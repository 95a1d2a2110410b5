"""The call's transcript as it happens: each line goes into the record, out to live listeners, and into
the database's live progress (one ordered writer, so the console shows a call in progress)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gpu_worker.after_call.call_record import CallRecord
from gpu_worker.after_call.live_progress import LiveProgress
from shared.call_report import Speaker

if TYPE_CHECKING:
    from gpu_worker.conversation.call_session import WorkerServices


class LiveTranscript:
    def __init__(self, *, services: WorkerServices, record: CallRecord) -> None:
        self._services, self.record = services, record
        self.progress = LiveProgress(record=record, database=services.database)  # the session closes it

    def __len__(self) -> int:
        return len(self.record.transcript)

    def add(self, speaker: Speaker, text: str, *, start_ms: int, end_ms: int, interrupted: bool = False) -> None:
        entry = self.record.add(speaker, text, start_ms=start_ms, end_ms=end_ms, interrupted=interrupted)
        self._services.events.publish(
            {
                "type": "transcript",
                "call_sid": self.record.call_sid,
                "business_id": self.record.business_id,
                "entry": entry.model_dump(),
            }
        )
        self.save_progress()

    def replace_last_agent(self, text: str, *, end_ms: int) -> None:
        self.record.replace_last_agent(text, end_ms=end_ms)
        self.save_progress()

    def truncate(self, length: int) -> None:
        """Forget lines after `length` (a caller turn retracted because it was only a pause)."""
        del self.record.transcript[length:]

    def save_progress(self) -> None:
        self.progress.changed()  # an older transcript never overwrites a newer one
