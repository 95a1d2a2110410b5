"""Console page of the background jobs (voicemail transcription): how many wait, run, are done or failed,
and each failure with its error and a button to send it again."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from functions.admin.auth import PageIdentity, page_identity
from functions.admin.rendering import render, see_other
from functions.edge_app import DatabaseDep, SettingsDep
from functions.voicemail.transcription_job import KIND as VOICEMAIL_KIND
from functions.voicemail.voicemail_jobs import send_again
from shared.jobs import job_store
from shared.jobs.job_queue import job_queue_from_settings

router = APIRouter(prefix="/admin/jobs", dependencies=[Depends(page_identity)])
KIND_LABELS = {VOICEMAIL_KIND: "Voicemail transcription"}


@router.get("")
async def jobs_page(request: Request, identity: PageIdentity, db: DatabaseDep, settings: SettingsDep) -> Response:
    counts = await job_store.counts(db)
    counts.setdefault(VOICEMAIL_KIND, dict.fromkeys(job_store.STATUSES, 0))
    return render(
        request,
        "jobs.html",
        identity=identity,
        counts=sorted(counts.items()),
        statuses=job_store.STATUSES,
        failures=await job_store.failures(db),
        labels=KIND_LABELS,
        queue=job_queue_from_settings(settings).name,
    )


@router.post("/{job_id}/retry")
async def retry(identity: PageIdentity, db: DatabaseDep, settings: SettingsDep, job_id: str) -> Response:
    job = await send_again(db, settings, job_id)
    return see_other("/admin/jobs", "job_sent_again" if job is not None else "job_not_failed")
