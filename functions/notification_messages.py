"""What the owner and the caller are told after a call: the owner SMS, the owner email, the caller's photo SMS
and booking SMS."""

from __future__ import annotations

from dataclasses import dataclass

from functions.page_templates import local_time, render, urgency_label
from shared.call_fields import display_rows, fields_urgency, national_format
from shared.call_report import CallReport, ReportField
from shared.repositories.notifications import NewNotification

SMS_PROBLEM_LIMIT = 120
MAX_SMS_ROWS = 8  # a text stays a few screens long; the call page and email have everything
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
    # The definition's settled fields as (label, text); empty for reports without fields (older workers).
    rows: tuple[tuple[str, str], ...] = ()
    has_urgency: bool = True
    outbound: bool = False

    @property
    def urgency_label(self) -> str:
        return urgency_label(self.urgency)

    @property
    def headline(self) -> str:
        """ "[Emergency] New call for X"; a definition without urgency levels (a gym survey) has no tag."""
        what = f"Call result for {self.business_name}" if self.outbound else f"New call for {self.business_name}"
        return f"[{self.urgency_label}] {what}" if self.has_urgency else what

    @property
    def started_local(self) -> str:
        return local_time(self.started_at, self.timezone)


def summarize(report: CallReport, *, business_name: str, timezone: str, call_url: str) -> CallSummary:
    if report.fields:
        return _from_fields(report, report.fields, business_name=business_name, timezone=timezone, call_url=call_url)
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


def _from_fields(
    report: CallReport, fields: list[ReportField], *, business_name: str, timezone: str, call_url: str
) -> CallSummary:
    """The summary from the definition's fields: who and what by kind, every settled field as a row."""

    def first(kind: str) -> str:
        return next((f.spoken or f.value for f in fields if f.kind == kind and f.value), "")

    phone = next((f.value for f in fields if f.kind == "phone" and f.value), "") or report.from_number
    urgency = fields_urgency(fields)
    notes = report.extraction.notes if report.extraction else ""
    return CallSummary(
        business_name=business_name,
        timezone=timezone,
        call_url=call_url,
        started_at=report.started_at,
        urgency=urgency,
        customer_name=first("person_name") or UNKNOWN_NAME,
        problem=first("free_text") or (report.agent_name or NO_SUMMARY),
        location=first("address"),
        callback_phone=national_format(phone) if phone else "",
        notes=notes,
        extraction_ok=report.extraction_status == "ok",
        transcript=tuple(TranscriptLine(entry.speaker, entry.text) for entry in report.transcript),
        rows=tuple(display_rows(fields)) + ((("Notes", notes),) if notes else ()),
        has_urgency=any(f.kind == "enum" and f.name == "urgency" for f in fields) or urgency is not None,
        outbound=report.direction == "outbound",
    )


def _shorten(text: str, limit: int) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def owner_sms(summary: CallSummary, *, to: str) -> NewNotification:
    if summary.rows:
        rows = [f"{label}: {_shorten(text, 80)}" for label, text in summary.rows if label != "Notes"]
        body = "\n".join([summary.headline, *rows[:MAX_SMS_ROWS], summary.call_url])
        return NewNotification(purpose="owner_sms", channel="sms", recipient=to, body=body)
    lines = [
        f"[{summary.urgency_label}] New call for {summary.business_name}",
        f"{summary.customer_name}: {_shorten(summary.problem, SMS_PROBLEM_LIMIT)}",
        *([f"Where: {_shorten(summary.location, 80)}"] if summary.location else []),
        f"Call back: {summary.callback_phone}",
        summary.call_url,
    ]
    return NewNotification(purpose="owner_sms", channel="sms", recipient=to, body="\n".join(lines))


def owner_email(summary: CallSummary, *, to: str) -> NewNotification:
    tag = f"[{summary.urgency_label}] " if summary.has_urgency else ""
    subject = f"{tag}{summary.customer_name}: {_shorten(summary.problem, 60)}"
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
    rows = list(summary.rows) or [
        ("Caller", summary.customer_name),
        ("Problem", summary.problem),
        ("Where", summary.location),
        ("Call back", summary.callback_phone),
        ("Notes", summary.notes),
    ]
    lines = [summary.headline, summary.started_local, ""]
    width = max(11, *(len(label) + 2 for label, _ in rows))
    lines += [f"{label + ':':<{width}}{value}" for label, value in rows if value]
    lines += ["", f"Call page (photos appear here): {summary.call_url}", "", "Transcript"]
    lines += [f"{line.speaker.capitalize()}: {line.text}" for line in summary.transcript] or ["(no transcript)"]
    return "\n".join(lines) + "\n"


def caller_booking_sms(*, business_name: str, starts_utc: str, timezone: str, to: str) -> NewNotification:
    """The confirmation of a booked visit, on the business's clock (what the agent read back)."""
    when = local_time(starts_utc, timezone, "%A, %B %-d at %-I:%M %p %Z")
    body = f"{business_name}: your visit is booked for {when}. To change it, call us back."
    return NewNotification(purpose="caller_booking", channel="sms", recipient=to, body=body)


def caller_booking_link_sms(*, business_name: str, booking_url: str | None, to: str) -> NewNotification:
    """Booking was not possible during the call: the link to book online, or the promise of a call back."""
    if booking_url:
        body = f"Thanks for calling {business_name}. Pick a time for your visit here: {booking_url}"
    else:
        body = (
            f"Thanks for calling {business_name}. We could not book your visit during the call; "
            "we will call you back to set a time."
        )
    return NewNotification(purpose="caller_booking_link", channel="sms", recipient=to, body=body)


def caller_photo_sms(*, business_name: str, photo_url: str, to: str) -> NewNotification:
    body = (
        f"Thanks for calling {business_name}. If you can, send us photos of the problem here "
        f"(the link works for 1 hour): {photo_url}"
    )
    return NewNotification(purpose="caller_photo_link", channel="sms", recipient=to, body=body)
