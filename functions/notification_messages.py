"""What the owner and the caller are told after a call: the owner SMS, the owner email, the caller's photo SMS."""

from __future__ import annotations

from dataclasses import dataclass

from functions.page_templates import local_time, render, urgency_label
from shared.call_report import CallReport
from shared.repositories.notifications import NewNotification

SMS_PROBLEM_LIMIT = 120
UNKNOWN_NAME = "Unknown caller"
NO_SUMMARY = "No summary: see the transcript"


@dataclass(frozen=True)
class TranscriptLine:
    speaker: str
    text: str


@dataclass(frozen=True)
class CallSummary:
    business_name: str
    timezone: str
    call_url: str
    started_at: str
    urgency: str | None
    customer_name: str
    problem: str
    location: str
    callback_phone: str
    notes: str
    extraction_ok: bool
    transcript: tuple[TranscriptLine, ...]

    @property
    def urgency_label(self) -> str:
        return urgency_label(self.urgency)

    @property
    def started_local(self) -> str:
        return local_time(self.started_at, self.timezone)


def summarize(report: CallReport, *, business_name: str, timezone: str, call_url: str) -> CallSummary:
    extraction = report.extraction if report.extraction_status == "ok" else None
    return CallSummary(
        business_name=business_name,
        timezone=timezone,
        call_url=call_url,
        started_at=report.started_at,
        urgency=extraction.urgency if extraction else None,
        customer_name=(extraction.customer_name if extraction else "") or UNKNOWN_NAME,
        problem=(extraction.problem if extraction else "") or NO_SUMMARY,
        location=extraction.location if extraction else "",
        callback_phone=(extraction.callback_phone if extraction else "") or report.from_number,
        notes=extraction.notes if extraction else "",
        extraction_ok=extraction is not None,
        transcript=tuple(TranscriptLine(entry.speaker, entry.text) for entry in report.transcript),
    )


def _shorten(text: str, limit: int) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def owner_sms(summary: CallSummary, *, to: str) -> NewNotification:
    lines = [
        f"[{summary.urgency_label}] New call for {summary.business_name}",
        f"{summary.customer_name}: {_shorten(summary.problem, SMS_PROBLEM_LIMIT)}",
        *([f"Where: {_shorten(summary.location, 80)}"] if summary.location else []),
        f"Call back: {summary.callback_phone}",
        summary.call_url,
    ]
    return NewNotification(purpose="owner_sms", channel="sms", recipient=to, body="\n".join(lines))


def owner_email(summary: CallSummary, *, to: str) -> NewNotification:
    subject = f"[{summary.urgency_label}] {summary.customer_name}: {_shorten(summary.problem, 60)}"
    return NewNotification(
        purpose="owner_email",
        channel="email",
        recipient=to,
        subject=subject,
        body=owner_email_text(summary),
        html_body=render("owner_email.html", summary=summary),
    )


def owner_email_text(summary: CallSummary) -> str:
    """The plain-text part of the owner email: the summary, the link, then the transcript."""
    rows = [
        ("Caller", summary.customer_name),
        ("Problem", summary.problem),
        ("Where", summary.location),
        ("Call back", summary.callback_phone),
        ("Notes", summary.notes),
    ]
    lines = [f"{summary.urgency_label}: new call for {summary.business_name}", summary.started_local, ""]
    lines += [f"{label + ':':<11}{value}" for label, value in rows if value]
    lines += ["", f"Call page (photos appear here): {summary.call_url}", "", "Transcript"]
    lines += [f"{line.speaker.capitalize()}: {line.text}" for line in summary.transcript] or ["(no transcript)"]
    return "\n".join(lines) + "\n"


def caller_photo_sms(*, business_name: str, photo_url: str, to: str) -> NewNotification:
    body = (
        f"Thanks for calling {business_name}. If you can, send us photos of the problem here "
        f"(the link works for 1 hour): {photo_url}"
    )
    return NewNotification(purpose="caller_photo_link", channel="sms", recipient=to, body=body)
