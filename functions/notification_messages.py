"""What the owner and the caller are told after a call: the owner SMS, the owner email, the caller's photo SMS
and booking SMS."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from functions.caller_messages import caller_words, visit_time
from functions.owner_language import language_name, owner_words, relabel
from functions.page_templates import local_time, render
from shared.agents.definition import AgentDefinition
from shared.call_fields import display_rows, fields_urgency, first_of, national_format
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
    language: str = "en"  # the business's language: the words and labels the owner reads

    @property
    def words(self) -> dict[str, str]:
        return owner_words(self.language)

    @property
    def urgency_label(self) -> str:
        return self.words.get(self.urgency or "", self.words["unknown_urgency"])

    @property
    def headline(self) -> str:
        """ "[Emergency] New call for X"; a definition without urgency levels (a gym survey) has no tag."""
        what = self.words["call_result" if self.outbound else "new_call"].format(business=self.business_name)
        return f"[{self.urgency_label}] {what}" if self.has_urgency else what

    def speaker(self, speaker: str) -> str:
        return self.words.get(f"speaker_{speaker}", speaker.capitalize())

    @property
    def started_local(self) -> str:
        return local_time(self.started_at, self.timezone)


def summarize(
    report: CallReport,
    *,
    business_name: str,
    timezone: str,
    call_url: str,
    language: str = "en",
    definition: AgentDefinition | None = None,
) -> CallSummary:
    """The owner's summary in the business's `language` (labels from `definition`, the agent the call ran)."""
    if report.fields:
        fields = relabel(report.fields, definition, language)
        summary = _from_fields(report, fields, business_name=business_name, timezone=timezone, call_url=call_url)
        return _in_language(summary, report, language)
    extraction = report.extraction if report.extraction_status == "ok" else None
    summary = CallSummary(
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
    return _in_language(summary, report, language)


def _in_language(summary: CallSummary, report: CallReport, language: str) -> CallSummary:
    """The summary in the owner's language; a call in another language is noted, its words kept as said."""
    words = owner_words(language)
    rows = tuple((words["notes"] if label == "Notes" else label, text) for label, text in summary.rows)
    if report.language != language and rows:
        rows += ((words["call_language"], language_name(report.language, in_language=language)),)
    customer = words["unknown_caller"] if summary.customer_name == UNKNOWN_NAME else summary.customer_name
    problem = words["no_summary"] if summary.problem == NO_SUMMARY else summary.problem
    return dataclasses.replace(summary, language=language, rows=rows, customer_name=customer, problem=problem)


def _from_fields(
    report: CallReport, fields: list[ReportField], *, business_name: str, timezone: str, call_url: str
) -> CallSummary:
    """The summary from the definition's fields: who and what by kind, every settled field as a row."""

    def first(kind: str) -> str:
        return first_of(fields, kind, spoken=True)

    phone = first_of(fields, "phone") or report.from_number
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
    words = summary.words
    if summary.rows:
        rows = [f"{label}: {_shorten(text, 80)}" for label, text in summary.rows if label != words["notes"]]
        body = "\n".join([summary.headline, *rows[:MAX_SMS_ROWS], summary.call_url])
        return NewNotification(purpose="owner_sms", channel="sms", recipient=to, body=body)
    lines = [
        f"[{summary.urgency_label}] " + words["new_call"].format(business=summary.business_name),
        f"{summary.customer_name}: {_shorten(summary.problem, SMS_PROBLEM_LIMIT)}",
        *([f"{words['where']}: {_shorten(summary.location, 80)}"] if summary.location else []),
        f"{words['call_back']}: {summary.callback_phone}",
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
    words = summary.words
    rows = list(summary.rows) or [
        (words["caller"], summary.customer_name),
        (words["problem"], summary.problem),
        (words["where"], summary.location),
        (words["call_back"], summary.callback_phone),
        (words["notes"], summary.notes),
    ]
    lines = [summary.headline, summary.started_local, ""]
    width = max(11, *(len(label) + 2 for label, _ in rows))
    lines += [f"{label + ':':<{width}}{value}" for label, value in rows if value]
    lines += ["", f"{words['call_page']}: {summary.call_url}", "", words["transcript"]]
    lines += [f"{summary.speaker(line.speaker)}: {line.text}" for line in summary.transcript] or [
        words["no_transcript"]
    ]
    return "\n".join(lines) + "\n"


def caller_booking_sms(
    *, business_name: str, starts_utc: str, timezone: str, to: str, language: str = "en"
) -> NewNotification:
    """The confirmation of a booked visit, on the business's clock (what the agent read back)."""
    when = visit_time(starts_utc, timezone, language)
    body = caller_words(language)["booked"].format(business=business_name, when=when)
    return NewNotification(purpose="caller_booking", channel="sms", recipient=to, body=body)


def caller_booking_link_sms(
    *, business_name: str, booking_url: str | None, to: str, language: str = "en"
) -> NewNotification:
    """Booking was not possible during the call: the link to book online, or the promise of a call back."""
    words = caller_words(language)
    if booking_url:
        body = words["book_here"].format(business=business_name, url=booking_url)
    else:
        body = words["call_back"].format(business=business_name)
    return NewNotification(purpose="caller_booking_link", channel="sms", recipient=to, body=body)


def caller_photo_sms(*, business_name: str, photo_url: str, to: str, language: str = "en") -> NewNotification:
    body = caller_words(language)["photo"].format(business=business_name, url=photo_url)
    return NewNotification(purpose="caller_photo_link", channel="sms", recipient=to, body=body)
