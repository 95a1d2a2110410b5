"""The production transport: jobs go through a real SQS API (moto's server on loopback, over HTTP with
boto3). Enqueueing sends the job's id; the Lambda consumer claims what it receives, and a failed attempt
goes back to the queue with its backoff as SQS's own delay; a duplicate delivery runs nothing twice."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from functions.voicemail.transcription_job import VoicemailRecording
from functions.voicemail.voicemail_jobs import consume_ids, enqueue_voicemail
from shared.database import Database
from shared.jobs import job_store
from shared.jobs.job_queue import SqsJobQueue, job_ids_from_sqs_event
from shared.settings import Settings
from tests.s3_server import S3Server, S3ServerUnavailable, free_port, start_moto

ACCOUNT = "AC00000000000000000000000000000000"


@pytest.fixture(scope="module")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    try:
        server = start_moto(tmp_path_factory.mktemp("moto-sqs"))
    except S3ServerUnavailable as error:
        pytest.skip(f"moto server unavailable: {error}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def sqs(moto: S3Server, tmp_path: Path) -> tuple[Any, str]:
    client = boto3.client(
        "sqs",
        endpoint_url=moto.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id=moto.access_key,
        aws_secret_access_key=moto.secret_key,
    )
    url = client.create_queue(QueueName=f"voicemail-jobs-{tmp_path.name[-20:]}".replace("_", "-"))["QueueUrl"]
    return client, url


def _receive(client: Any, url: str) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return messages


def _delayed(client: Any, url: str) -> int:
    attributes = client.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessagesDelayed"])
    return int(attributes["Attributes"]["ApproximateNumberOfMessagesDelayed"])


async def test_a_job_goes_through_sqs_and_its_retry_comes_back_delayed(
    sqs: tuple[Any, str], settings: Settings, db: Database
) -> None:
    client, url = sqs
    queue = SqsJobQueue(queue_url=url, client=client)
    # Twilio unreachable (nothing listens there): the attempt fails in a way worth retrying
    offline = settings.model_copy(update={"twilio_api_base_url": f"http://127.0.0.1:{free_port()}"})
    sid = "RE" + "1" * 32
    recording = VoicemailRecording(
        call_sid="CA" + "1" * 32,
        recording_sid=sid,
        recording_url=f"{offline.twilio_api_base_url}/2010-04-01/Accounts/{ACCOUNT}/Recordings/{sid}",
        duration_s=12,
    )
    # WHEN the recording callback enqueues the voicemail
    enqueued = await enqueue_voicemail(db, offline, recording, queue=queue)
    # THEN SQS holds one message naming the job
    (message,) = _receive(client, url)
    event = {"Records": [{"messageId": message["MessageId"], "body": message["Body"]}]}
    assert job_ids_from_sqs_event(event) == [enqueued.job.id]
    assert json.loads(message["Body"])["kind"] == "transcribe_voicemail"
    # WHEN the Lambda consumer runs the batch it received
    outcome = await consume_ids(db, offline, job_ids_from_sqs_event(event), queue=queue)
    # THEN the attempt failed for a reason worth retrying, and the retry is back on SQS, delayed
    assert outcome == {"skipped": 0, "waiting": 1}
    job = await job_store.get_job(db, enqueued.job.id)
    assert job is not None
    assert (job.status, job.attempts) == ("waiting", 1)
    assert "Twilio could not be reached" in (job.last_error or "")
    assert _receive(client, url) == []
    assert _delayed(client, url) == 1
    # AND the same message delivered twice (SQS is at least once) runs nothing: the job is not due yet
    again = await consume_ids(db, offline, job_ids_from_sqs_event(event), queue=queue)
    assert again == {"skipped": 1}
    still = await job_store.get_job(db, enqueued.job.id)
    assert still is not None
    assert still.attempts == 1


async def test_sqs_refusing_a_new_job_leaves_it_failed_for_the_console(settings: Settings, db: Database) -> None:
    # GIVEN an SQS endpoint that is down
    client = boto3.client(
        "sqs",
        endpoint_url=f"http://127.0.0.1:{free_port()}",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 1}, connect_timeout=1),
    )
    queue = SqsJobQueue(queue_url="http://127.0.0.1:1/000000000000/voicemail-jobs", client=client)
    recording = VoicemailRecording(
        call_sid="CA" + "2" * 32, recording_sid="RE" + "2" * 32, recording_url="https://x/RE", duration_s=3
    )
    # WHEN a voicemail is enqueued
    enqueued = await enqueue_voicemail(db, settings, recording, queue=queue)
    # THEN the callback still gets its answer, and the job is failed with the reason, ready to be sent again
    job = await job_store.get_job(db, enqueued.job.id)
    assert job is not None
    assert job.status == "failed"
    assert job.last_error is not None
    assert job.last_error.startswith("the sqs queue did not take the job")
