"""A recorded call's stereo file goes to blob storage after the call, beside the extraction.

Only an uploaded recording goes in the report (its key and length); a failed or cut-short upload is
logged and the report goes without it. The local file is removed either way: staging never fills the
worker's disk.
"""

from __future__ import annotations

import asyncio
import logging
import secrets

from gpu_worker.after_call.call_record import CallRecord
from gpu_worker.telephony.call_recorder import CONTENT_TYPE
from shared.blob_storage import BlobStorage, create_blob_storage
from shared.settings import Settings

log = logging.getLogger(__name__)
RECORDING_PREFIX = "calls/recordings"
UPLOAD_TIMEOUT_S = 300.0  # a 30-minute call is about 58 MB


def new_recording_key() -> str:
    return f"{RECORDING_PREFIX}/{secrets.token_urlsafe(16)}.wav"


def recording_storage(settings: Settings) -> BlobStorage | None:
    """Where the worker puts recordings; None (logged) when the blob settings are incomplete."""
    try:
        return create_blob_storage(settings)
    except ValueError:
        log.exception("blob storage is not configured: calls whose agent records them go unrecorded")
        return None


async def upload_recording(blobs: BlobStorage | None, record: CallRecord) -> None:
    """Upload `record.recording` and set `record.recording_key`; never raises (but a cancel)."""
    recording = record.recording
    if recording is None:
        return
    try:
        if blobs is None:
            log.warning("no blob storage on this worker: the call's recording is dropped")
            return
        key = new_recording_key()
        async with asyncio.timeout(UPLOAD_TIMEOUT_S):
            await blobs.put_file(key, recording.path, content_type=CONTENT_TYPE)
        record.recording_key = key
        log.info("call recording stored", extra={"ms": recording.duration_ms})
    except Exception:  # the report must still go, without the recording
        log.exception("uploading the call's recording failed; the report goes without it")
    finally:
        await asyncio.to_thread(recording.path.unlink, missing_ok=True)
