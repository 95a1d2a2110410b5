"""How a job reaches its consumer: the database itself (the embedded default) or an SQS queue (production).

`JobQueue.deliver(job, delay_s)` is called after the job's row is written (a new job, a retry after its
backoff, an operator's retry). With `DatabaseJobQueue` there is nothing to send: the local consumer loop
claims due rows itself. `SqsJobQueue` sends `{"job_id": ...}` with SQS's own delay (at most 15 minutes);
the queue's Lambda consumer claims the row by id, so a duplicate delivery finds it already taken or done.
A message the consumer crashes on is received again after the visibility timeout, and after
maxReceiveCount lands in the dead-letter queue (infra/terraform/voicemail.tf, template.yaml).
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Protocol

from shared.jobs.job_store import Job
from shared.settings import Settings

log = logging.getLogger(__name__)
SQS_MAX_DELAY_S = 900


class JobQueue(Protocol):
    name: str

    async def deliver(self, job: Job, *, delay_s: int = 0) -> None:
        """Make the job (already written as `waiting`) reach a consumer after `delay_s`."""
        ...


class DatabaseJobQueue:
    """The embedded default: the consumer loop of `buddyhelps serve` claims due rows; nothing to send."""

    name = "database"

    async def deliver(self, job: Job, *, delay_s: int = 0) -> None:
        return None


class SqsJobQueue:
    """An SQS queue (boto3 is blocking: its calls run in a worker thread)."""

    name = "sqs"

    def __init__(self, *, queue_url: str, client: Any) -> None:
        self.queue_url = queue_url
        self._client = client

    async def deliver(self, job: Job, *, delay_s: int = 0) -> None:
        body = json.dumps({"job_id": job.id, "kind": job.kind})
        delay = max(0, min(int(delay_s), SQS_MAX_DELAY_S))
        await asyncio.to_thread(
            self._client.send_message, QueueUrl=self.queue_url, MessageBody=body, DelaySeconds=delay
        )
        log.info("job sent to the queue", extra={"job_id": job.id, "kind": job.kind, "delay_s": delay})


def job_queue_from_settings(settings: Settings) -> JobQueue:
    """SQS when VOICEMAIL_QUEUE_URL is set (production), else the database."""
    if not settings.voicemail_queue_url:
        return DatabaseJobQueue()
    import boto3

    client = boto3.client("sqs", region_name=settings.aws_region)
    return SqsJobQueue(queue_url=settings.voicemail_queue_url, client=client)


def job_ids_from_sqs_event(event: dict[str, Any]) -> list[str]:
    """The job ids in an SQS event's records; a record that is not ours is logged and skipped."""
    ids: list[str] = []
    for record in event.get("Records", []):
        try:
            body = json.loads(record["body"])
            ids.append(str(body["job_id"]))
        except (KeyError, TypeError, ValueError):
            log.error("SQS record without a job id skipped", extra={"message_id": record.get("messageId", "")})
    return ids
