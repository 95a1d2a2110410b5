"""A campaign's results read from the database: rows for the console page, and the CSV export."""

from __future__ import annotations

from dataclasses import dataclass

from shared.call_fields import display_rows, parse_fields
from shared.database import Database
from shared.outbound import call_jobs, campaign_agents, campaigns
from shared.outbound.results_csv import results_csv
from shared.repositories import calls


@dataclass(frozen=True)
class CampaignRow:
    job: call_jobs.CallJob
    call: calls.Call | None
    fields: list[tuple[str, str, str]]  # label, value as shown, status


async def _calls(db: Database, jobs: list[call_jobs.CallJob]) -> dict[str, calls.Call]:
    found = {job.call_sid: await calls.get_call_by_sid(db, job.call_sid) for job in jobs if job.call_sid}
    return {sid: call for sid, call in found.items() if call is not None}


async def campaign_rows(db: Database, campaign: campaigns.Campaign) -> list[CampaignRow]:
    jobs = await call_jobs.list_jobs(db, campaign.id)
    by_sid = await _calls(db, jobs)
    rows = []
    for job in jobs:
        call = by_sid.get(job.call_sid or "")
        fields = parse_fields(call.fields if call else [])
        statuses = {field.label: field.status for field in fields}
        shown = [(label, text, statuses.get(label, "")) for label, text in display_rows(fields)]
        rows.append(CampaignRow(job=job, call=call, fields=shown))
    return rows


async def campaign_results_csv(db: Database, campaign_id: str) -> str | None:
    """The results CSV, or None for an unknown campaign."""
    campaign = await campaigns.get_campaign(db, campaign_id)
    if campaign is None:
        return None
    stored = await campaign_agents.definition_of(db, campaign.agent)
    if stored is None:
        return None
    jobs = await call_jobs.list_jobs(db, campaign.id)
    return results_csv(stored.definition, jobs, await _calls(db, jobs))
