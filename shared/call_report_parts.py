"""One report from the parts of a transferred call: the streams before each transfer and, when nobody
answered, the stream that took the caller back. The owner reads it as one call: the transcripts in order
with a line where each transfer was tried, every tool used, and the details the caller gave — the last
part's, with what only an earlier part had filled in."""

from __future__ import annotations

from collections.abc import Sequence

from shared.call_report import TRANSFERRED, CallReport, ReportField, TranscriptEntry

GAP_MS = 1000  # between one stream's last line and the next stream's first


def transfer_line(part: CallReport, dial_status: str | None) -> TranscriptEntry:
    """The transcript's note of one transfer: to whom, and whether they answered."""
    to = next((tool.detail.get("to", "") for tool in reversed(part.tools) if tool.name == "transfer"), "")
    outcome = {"completed": "answered", "answered": "answered", None: "outcome not known"}.get(
        dial_status, f"not answered ({dial_status})"
    )
    end = max((entry.end_ms for entry in part.transcript), default=0)
    return TranscriptEntry(
        speaker="system", text=f"Transferred to {to or 'a person'}: {outcome}", start_ms=end, end_ms=end
    )


def join_parts(parts: Sequence[tuple[CallReport, str | None]], last: CallReport | None) -> CallReport:
    """`parts`: each handed-off report with its <Dial> outcome, in order; `last`: the stream the call came
    back to (None when the transfer was answered and the call ended with the person)."""
    assert parts, "a transferred call has at least one part"
    reports = [report for report, _ in parts] + ([last] if last is not None else [])
    transcript: list[TranscriptEntry] = []
    offset = 0
    for index, report in enumerate(reports):
        shifted = [
            entry.model_copy(update={"start_ms": entry.start_ms + offset, "end_ms": entry.end_ms + offset})
            for entry in report.transcript
        ]
        transcript += shifted
        if index < len(parts):
            note = transfer_line(report, parts[index][1])
            transcript.append(
                note.model_copy(update={"start_ms": note.start_ms + offset, "end_ms": note.end_ms + offset})
            )
        offset = max((entry.end_ms for entry in transcript), default=offset) + GAP_MS
    final = reports[-1]
    return final.model_copy(
        update={
            "started_at": reports[0].started_at,
            "end_reason": final.end_reason if last is not None else TRANSFERRED,
            "transcript": transcript[-2000:],
            "latency": [turn for report in reports for turn in report.latency][-500:],
            "tools": [tool for report in reports for tool in report.tools][-100:],
            "dtmf": "".join(report.dtmf for report in reports)[:200],
            "photo_link_sent": any(report.photo_link_sent for report in reports),
            "recording_key": next((r.recording_key for r in reversed(reports) if r.recording_key), None),
            "recording_ms": next((r.recording_ms for r in reversed(reports) if r.recording_key), None),
            "fields": _fields(reports),
        }
    )


def _fields(reports: Sequence[CallReport]) -> list[ReportField]:
    """The last report's fields; one it lacks is taken from the latest earlier report that has it."""
    fields = list(reports[-1].fields)
    for index, field in enumerate(fields):
        if field.value:
            continue
        earlier = (
            other
            for report in reversed(reports[:-1])
            for other in report.fields
            if other.name == field.name and other.value and other.status in ("confirmed", "given")
        )
        fields[index] = next(earlier, field)
    return fields
