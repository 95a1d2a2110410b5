"""A voicemail's outcome on the call and to the owner: its words stored as the call's message (the console's
call page) and in its transcript (the owner's call page), then an SMS and an email to the owner through the
notifications outbox, as a call report goes. A voicemail that could not be transcribed is still told to
the owner, with the reason, so no call goes unheard of.

Once per recording: the message row's id is the recording sid, and everything else in the batch is
written only if that row was inserted by this batch (a job run twice stores and sends nothing again).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from functions.notification_messages import CallSummary, TranscriptLine, owner_email, owner_sms
from functions.notifications import dispatch
from functions.owner_language import owner_words
from shared.call_fields import national_format
from shared.call_report import TranscriptEntry
from shared.database import Database, Statement, utc_now
from shared.phone_format import is_e164
from shared.repositories.businesses import Business, get_business
from shared.repositories.calls import Call
from shared.repositories.notifications import NewNotification, insert_statement
from shared.settings import Settings

log = logging.getLogger(__name__)

VOICEMAIL_WORDS = {
    "en": {"voicemail": "Voicemail", "not_transcribed": "A voicemail was left, but it could not be transcribed"},
    "es": {
        "voicemail": "Mensaje de voz",
        "not_transcribed": "Dejaron un mensaje de voz, pero no se pudo transcribir",
    },
}


@dataclass(frozen=True)
class VoicemailOutcome:
    """The words (`text`, in `language`), or why there are none (`problem`)."""

    recording_sid: str
    text: str = ""
    language: str | None = None
    duration_s: float | None = None
    problem: str | None = None


@dataclass(frozen=True)
class StoredVoicemail:
    stored: bool  # False: this recording's outcome was stored before (nothing written or sent again)
    notification_ids: tuple[str, ...]


def _words(language: str) -> dict[str, str]:
    return VOICEMAIL_WORDS.get(language) or VOICEMAIL_WORDS["en"]


def _said(outcome: VoicemailOutcome, language: str) -> str:
    if outcome.problem is not None:
        return f"{_words(language)['not_transcribed']} ({outcome.problem})."
    return outcome.text or "(no words were heard)"


def owner_messages(call: Call, business: Business, outcome: VoicemailOutcome, call_url: str) -> list[NewNotification]:
    """The owner's SMS and email (the call report's own formats), in the business's language."""
    language = business.language
    words = owner_words(language)
    said = _said(outcome, language)
    callback = national_format(call.from_number) if call.from_number else ""
    summary = CallSummary(
        business_name=business.name,
        timezone=business.timezone,
        call_url=call_url,
        started_at=call.started_at,
        urgency=None,
        customer_name=words["unknown_caller"],
        problem=said,
        location="",
        callback_phone=callback,
        notes="",
        extraction_ok=outcome.problem is None,
        transcript=(TranscriptLine("caller", outcome.text),) if outcome.text else (),
        rows=((_words(language)["voicemail"], said), *(((words["call_back"], callback),) if callback else ())),
        has_urgency=False,
        language=language,
    )
    messages: list[NewNotification] = []
    if is_e164(business.owner_phone):
        sms = owner_sms(summary, to=business.owner_phone)
        messages.append(NewNotification("voicemail_sms", "sms", sms.recipient, sms.body))
    if business.owner_email:
        email = owner_email(summary, to=business.owner_email)
        messages.append(
            NewNotification("voicemail_email", "email", email.recipient, email.body, email.subject, email.html_body)
        )
    return messages


async def store_and_notify(db: Database, settings: Settings, call: Call, outcome: VoicemailOutcome) -> StoredVoicemail:
    business = await get_business(db, call.business_id) if call.business_id else None
    now = utc_now()
    # A failure notice and, after an operator's retry, the words: two messages of one recording.
    message_id = f"vm_{outcome.recording_sid}" + ("_untranscribed" if outcome.problem is not None else "")
    said = _said(outcome, business.language if business else "en")
    fresh: Statement = ("EXISTS (SELECT 1 FROM call_messages WHERE id = ? AND created_at = ?)", (message_id, now))
    statements: list[Statement] = [
        (
            "INSERT INTO call_messages (id, call_id, for_whom, contact_name, from_name, callback, message, created_at)"
            " VALUES (?, ?, ?, '', '', ?, ?, ?) ON CONFLICT (id) DO NOTHING",
            (message_id, call.id, business.name if business else "voicemail", call.from_number, said, now),
        )
    ]
    if outcome.text:
        statements.append(_transcript_update(call, outcome, fresh))
    positions: dict[str, int] = {}
    if business is not None:
        for message in owner_messages(call, business, outcome, settings.public_url(f"/c/{call.id}")):
            notification_id, statement = insert_statement(message, call_id=call.id, now=now, only_if=fresh)
            positions[notification_id] = len(statements)
            statements.append(statement)
    changed = await db.batch(statements)
    if changed[0] == 0:
        return StoredVoicemail(stored=False, notification_ids=())
    queued = tuple(notification_id for notification_id, index in positions.items() if changed[index])
    await dispatch(db, settings, queued)
    log.info(
        "voicemail stored" + (", owner told" if queued else ", no owner to tell"),
        extra={"call_id": call.id, "transcribed": outcome.problem is None, "notifications": len(queued)},
    )
    return StoredVoicemail(stored=True, notification_ids=queued)


def _transcript_update(call: Call, outcome: VoicemailOutcome, fresh: Statement) -> Statement:
    """The voicemail as the caller's turn after whatever the call held; a call that never reached a worker
    is reported by it (its page no longer says a summary is on its way); one that did waits for its report."""
    duration_ms = round((outcome.duration_s or 0.0) * 1000)
    entry = TranscriptEntry(speaker="caller", text=outcome.text[:4000], start_ms=0, end_ms=duration_ms).model_dump()
    condition, condition_args = fresh
    return (
        "UPDATE calls SET transcript = ?, language = COALESCE(language, ?),"  # noqa: S608 - values are bound
        " reported_at = CASE WHEN worker_id IS NULL THEN COALESCE(reported_at, ?) ELSE reported_at END"
        f" WHERE id = ? AND {condition}",
        (json.dumps([*call.transcript, entry]), outcome.language, utc_now(), call.id, *condition_args),
    )
