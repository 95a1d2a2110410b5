"""Everything the console shows about one call: transcript, extraction, photos, notifications, latency."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from functions.intent_log import IntentEntry, intent_log
from shared.blob_storage import create_blob_storage
from shared.database import Database
from shared.repositories.businesses import get_business
from shared.repositories.calls import Call, get_call, status_history
from shared.repositories.notifications import Notification, list_for_call
from shared.repositories.photos import list_photos
from shared.settings import Settings

LATENCY_COLUMNS = ("end_of_turn_wait_ms", "stt_ms", "llm_first_token_ms", "tts_first_audio_ms", "voice_to_voice_ms")


@dataclass(frozen=True)
class PhotoView:
    id: str
    url: str
    content_type: str
    size_bytes: int
    original_name: str


@dataclass(frozen=True)
class CallDetail:
    call: Call
    business_name: str | None
    photos: list[PhotoView]
    notifications: list[Notification]
    statuses: list[dict[str, Any]]
    audio_url: str | None
    intents: list[IntentEntry] = field(default_factory=list)  # the tools the agent used, in order
    messages: list[dict[str, str]] = field(default_factory=list)  # messages taken for people

    def as_json(self) -> dict[str, Any]:
        return {
            **asdict(self.call),
            "business_name": self.business_name,
            "photos": [asdict(photo) for photo in self.photos],
            "notifications": [_notification_json(item) for item in self.notifications],
            "status_history": self.statuses,
            "audio_url": self.audio_url,
            "intents": [asdict(intent) for intent in self.intents],
            "messages": self.messages,
        }


def _notification_json(notification: Notification) -> dict[str, Any]:
    # The message bodies stay out of the listing: they hold the caller's details and links.
    keep = ("id", "purpose", "channel", "status", "attempts", "last_error", "created_at", "updated_at")
    return {key: getattr(notification, key) for key in keep}


def audio_url(call: Call) -> str | None:
    """A playable URL for the call's recording: the worker's, streamed by the console (an operator's
    session, never a bucket URL); else a voicemail's (Twilio serves .mp3 when asked)."""
    if call.recording_key:
        return f"/admin/calls/{call.id}/recording"
    if not call.recording_url:
        return None
    url = call.recording_url
    if "twilio.com" in url and not url.rsplit("/", 1)[-1].count("."):
        url += ".mp3"
    return url


async def load_call(db: Database, settings: Settings, call_id: str) -> CallDetail | None:
    call = await get_call(db, call_id)
    if call is None:
        return None
    business = await get_business(db, call.business_id) if call.business_id else None
    storage = create_blob_storage(settings)
    photos = [
        PhotoView(
            id=photo.id,
            url=await storage.url_for(photo.blob_key),
            content_type=photo.content_type,
            size_bytes=photo.size_bytes,
            original_name=photo.original_name,
        )
        for photo in await list_photos(db, call.id)
    ]
    return CallDetail(
        call=call,
        business_name=business.name if business else None,
        photos=photos,
        notifications=await list_for_call(db, call.id),
        statuses=await status_history(db, call.call_sid),
        audio_url=audio_url(call),
        intents=await intent_log(db, call.call_sid),
        messages=await _messages(db, call.id),
    )


async def _messages(db: Database, call_id: str) -> list[dict[str, str]]:
    rows = await db.fetch_all(
        "SELECT for_whom, contact_name, from_name, callback, message, created_at FROM call_messages"
        " WHERE call_id = ? ORDER BY created_at",
        (call_id,),
    )
    return [{key: str(value) for key, value in row.items()} for row in rows]
