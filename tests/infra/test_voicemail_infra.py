"""The voicemail job queue in both infra twins: SQS with a dead-letter queue, a Lambda consumer running
functions.voicemail.voicemail_jobs.consume, and only the callback and the console allowed to send jobs."""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode import cfn_yaml

ROOT = Path(__file__).resolve().parents[2]
CONSUMER = "functions.voicemail.voicemail_jobs.consume"


@pytest.fixture(scope="module")
def resources() -> dict[str, Any]:
    template: dict[str, Any] = cfn_yaml.load(str(ROOT / "template.yaml"))
    found: dict[str, Any] = template["Resources"]
    return found


def _actions(function: dict[str, Any]) -> set[str]:
    statements = function["Properties"]["Policies"][0]["Statement"]
    return {action for statement in statements for action in statement["Action"]}


def test_given_the_sam_template_then_the_queue_feeds_its_consumer_and_dead_letters_crashes(
    resources: dict[str, Any],
) -> None:
    queue = resources["VoicemailQueue"]["Properties"]
    consumer = resources["VoicemailTranscribeFunction"]["Properties"]
    # THEN a message the consumer crashes on three times goes to the dead-letter queue
    assert queue["RedrivePolicy"]["maxReceiveCount"] == 3
    assert "VoicemailDeadQueue" in str(queue["RedrivePolicy"]["deadLetterTargetArn"])
    # AND the visibility timeout covers six consumer timeouts (AWS's advice for Lambda consumers)
    assert queue["VisibilityTimeout"] >= 6 * consumer["Timeout"]
    # AND the consumer is the real handler, fed by the queue, allowed to send retries back
    assert consumer["Handler"] == CONSUMER
    assert consumer["Events"]["VoicemailJobs"]["Type"] == "SQS"
    assert "sqs:SendMessage" in _actions(resources["VoicemailTranscribeFunction"])
    module, name = CONSUMER.rsplit(".", 1)
    assert callable(getattr(importlib.import_module(module), name))


def test_given_the_sam_template_then_only_the_callback_and_the_console_send_jobs(resources: dict[str, Any]) -> None:
    senders = {
        name
        for name, resource in resources.items()
        if resource["Type"] == "AWS::Serverless::Function" and "sqs:SendMessage" in _actions(resource)
    }
    assert senders == {"CallStatusFunction", "AdminFunction", "VoicemailTranscribeFunction", "OutboundDispatchFunction"}


def test_given_terraform_then_the_same_queue_consumer_and_senders_are_declared() -> None:
    text = (ROOT / "infra/terraform/voicemail.tf").read_text()
    assert f'handler          = "{CONSUMER}"' in text
    assert re.search(r"maxReceiveCount\s*=\s*3", text)
    assert re.search(r'voicemail_senders\s*=\s*toset\(\["call_status", "admin"\]\)', text)
    # AND every edge function learns the queue's URL (the console's retry and the callback send to it)
    assert "VOICEMAIL_QUEUE_URL    = aws_sqs_queue.voicemail.url" in (ROOT / "infra/terraform/lambda.tf").read_text()
