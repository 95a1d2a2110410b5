"""A call's recording (both sides, one stereo WAV) streamed from blob storage, never a bucket URL.

Served on the owner's call page (`/c/{call_id}/recording`: the call id is the link's credential, as for
the page) and the console's (`/admin/calls/{call_id}/recording`: an operator's session). Browsers play
audio with Range requests, and each answer is at most MAX_CHUNK_BYTES (a Lambda response is capped at
6 MB, base64 included), so a 30-minute call plays and seeks without ever being held whole.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

from fastapi import Request
from fastapi.responses import Response, StreamingResponse

from shared.blob_storage import BlobNotFound, BlobStorage, InvalidBlobKey

MAX_CHUNK_BYTES = 2 * 1024 * 1024
CONTENT_TYPE = "audio/wav"
HEADERS = {
    "Accept-Ranges": "bytes",
    "Cache-Control": "private, no-store",
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class UnsatisfiableRange(ValueError):
    """A Range header this blob cannot answer (416)."""


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(first, last) inclusive for a single `bytes=` range, capped at MAX_CHUNK_BYTES; None: no range asked."""
    if not header:
        return None
    match = _RANGE.match(header.strip())
    if match is None or match.group(1) == match.group(2) == "":
        raise UnsatisfiableRange(f"unsupported range {header[:40]!r}")
    first_text, last_text = match.groups()
    if first_text == "":  # the last N bytes
        first = max(0, size - int(last_text))
        last = size - 1
    else:
        first = int(first_text)
        last = min(int(last_text), size - 1) if last_text else size - 1
    if first >= size or first > last:
        raise UnsatisfiableRange(f"range {header[:40]!r} outside {size} bytes")
    return first, min(last, first + MAX_CHUNK_BYTES - 1)


def not_found() -> Response:
    return Response("not found", status_code=404, media_type="text/plain", headers=HEADERS)


async def recording_response(request: Request, blobs: BlobStorage, key: str) -> Response:
    """The recording under `key`: 206 with the asked range, 200 streamed whole without one."""
    try:
        size = await blobs.size(key)
        wanted = byte_range(request.headers.get("range"), size)
    except (BlobNotFound, InvalidBlobKey):
        return not_found()
    except UnsatisfiableRange:
        return Response(status_code=416, headers={**HEADERS, "Content-Range": f"bytes */{size}"})
    if wanted is None:
        return StreamingResponse(
            _chunks(blobs, key, size), media_type=CONTENT_TYPE, headers={**HEADERS, "Content-Length": str(size)}
        )
    first, last = wanted
    data = await blobs.read_range(key, start=first, length=last - first + 1)
    headers = {**HEADERS, "Content-Range": f"bytes {first}-{first + len(data) - 1}/{size}"}
    return Response(data, status_code=206, media_type=CONTENT_TYPE, headers=headers)


async def _chunks(blobs: BlobStorage, key: str, size: int) -> AsyncIterator[bytes]:
    for start in range(0, size, MAX_CHUNK_BYTES):
        yield await blobs.read_range(key, start=start, length=MAX_CHUNK_BYTES)
