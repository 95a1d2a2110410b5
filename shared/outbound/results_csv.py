"""A campaign's results as CSV: one row per number, each definition field's value and status."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from shared.agents.definition import AgentDefinition
from shared.call_fields import parse_fields
from shared.outbound.call_jobs import CallJob
from shared.repositories.calls import Call

FIXED_COLUMNS = ("number", "label", "job_status", "attempts", "last_outcome", "call_sid")


def results_csv(definition: AgentDefinition, jobs: Sequence[CallJob], calls_by_sid: dict[str, Call]) -> str:
    names = [field.name for field in definition.fields]
    header = [*FIXED_COLUMNS]
    for name in names:
        header += [name, f"{name}_status"]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for job in jobs:
        call = calls_by_sid.get(job.call_sid or "")
        fields = {field.name: field for field in parse_fields(call.fields if call else [])}
        row = [job.to_number, job.label, job.status, str(job.attempts), job.last_outcome or "", job.call_sid or ""]
        for name in names:
            field = fields.get(name)
            row += [(field.value or field.spoken) if field else "", field.status if field else "missing"]
        writer.writerow(row)
    return out.getvalue()
