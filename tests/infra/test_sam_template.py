"""template.yaml, the SAM twin of infra/terraform: cfn-lint clean, same routes, no plain secrets."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode import cfn_yaml

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
DESIGN_ROUTES = {
    "POST /incoming-call": "functions.incoming_call.handler",
    "POST /stream-end": "functions.incoming_call.handler",
    "POST /twilio/transfer-end": "functions.incoming_call.handler",
    "POST /twilio/menu": "functions.incoming_call.handler",
    "POST /api/tool-action": "functions.call_complete.handler",
    "POST /call-status": "functions.call_status.handler",
    "POST /api/call-complete": "functions.call_complete.handler",
    "GET /c/{call_id}": "functions.call_page.handler",
    "GET /c/{call_id}/recording": "functions.call_page.handler",
    "GET /photo/{token}": "functions.photo_upload.handler",
    "POST /photo/{token}": "functions.photo_upload.handler",
    "ANY /admin": "functions.admin.handler",
    "ANY /admin/{proxy+}": "functions.admin.handler",
    "GET /healthz": "functions.healthz.handler",
    "POST /outbound/answer": "functions.outbound.call_events.handler",
    "POST /outbound/status": "functions.outbound.call_events.handler",
    "POST /outbound/amd": "functions.outbound.call_events.handler",
}
SECRET_NAMES = {"TWILIO_AUTH_TOKEN", "TURSO_AUTH_TOKEN", "RESEND_API_KEY", "DASHBOARD_WEBHOOK_SECRET"}


def cfn_lint(path: Path) -> subprocess.CompletedProcess[str]:
    binary = Path(sys.executable).parent / "cfn-lint"
    if not binary.exists() and shutil.which("cfn-lint") is None:
        pytest.skip("cfn-lint is not installed (dev group)")
    command = str(binary) if binary.exists() else "cfn-lint"
    return subprocess.run([command, str(path)], capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def resources() -> dict[str, Any]:
    template: dict[str, Any] = cfn_yaml.load(str(TEMPLATE))
    found: dict[str, Any] = template["Resources"]
    return found


def test_given_the_template_when_cfn_lint_runs_then_it_reports_nothing() -> None:
    result = cfn_lint(TEMPLATE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_given_a_broken_copy_when_cfn_lint_runs_then_it_fails(tmp_path: Path) -> None:
    broken = tmp_path / "template.yaml"
    broken.write_text(TEMPLATE.read_text().replace("Handler: functions.healthz.handler", "Handlr: oops"))
    assert cfn_lint(broken).returncode != 0


def test_given_the_template_then_every_design_route_reaches_the_right_handler(resources: dict[str, Any]) -> None:
    integrations = {
        name: props["Properties"]["IntegrationUri"]["Fn::GetAtt"][0]
        for name, props in resources.items()
        if props["Type"] == "AWS::ApiGatewayV2::Integration"
    }
    routed = {}
    for props in resources.values():
        if props["Type"] != "AWS::ApiGatewayV2::Route":
            continue
        integration = props["Properties"]["Target"]["Fn::Sub"].removeprefix("integrations/${").rstrip("}")
        function = resources[integrations[integration]]
        routed[props["Properties"]["RouteKey"]] = function["Properties"]["Handler"]
    assert routed == DESIGN_ROUTES


def test_given_the_template_then_notifications_retry_on_a_schedule(resources: dict[str, Any]) -> None:
    retry = resources["NotificationRetryFunction"]["Properties"]
    assert retry["Handler"] == "functions.notification_retry.handler"
    [event] = retry["Events"].values()
    assert (event["Type"], event["Properties"]["Schedule"]) == ("Schedule", "rate(1 minute)")


def test_given_the_functions_then_secrets_come_only_from_secrets_manager(resources: dict[str, Any]) -> None:
    template: dict[str, Any] = cfn_yaml.load(str(TEMPLATE))
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["BUDDYHELPS_SECRETS_ARN"] == {"Ref": "AppSecret"}
    assert not SECRET_NAMES & set(variables)
    for props in resources.values():
        if props["Type"] == "AWS::Serverless::Function":
            own = props["Properties"].get("Environment", {}).get("Variables", {})
            assert not SECRET_NAMES & set(own)


def test_given_the_functions_then_only_those_that_handle_blobs_may_touch_the_bucket(
    resources: dict[str, Any],
) -> None:
    def actions(name: str) -> set[str]:
        statements = resources[name]["Properties"]["Policies"][0]["Statement"]
        return {action for statement in statements for action in statement["Action"]}

    assert actions("IncomingCallFunction") == {"secretsmanager:GetSecretValue"}
    assert actions("HealthzFunction") == {"secretsmanager:GetSecretValue"}
    assert actions("CallStatusFunction") == {"secretsmanager:GetSecretValue", "sqs:SendMessage"}  # voicemail jobs
    assert actions("CallPageFunction") == {"secretsmanager:GetSecretValue", "s3:GetObject"}
    assert actions("PhotoUploadFunction") == {"secretsmanager:GetSecretValue", "s3:PutObject"}
    assert all("*" not in action for name in resources if name.endswith("Function") for action in actions(name))


def test_given_the_bucket_then_it_is_private_and_encrypted(resources: dict[str, Any]) -> None:
    bucket = resources["BlobBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    rule = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    expiring = {r["Id"] for r in bucket["LifecycleConfiguration"]["Rules"] if "ExpirationInDays" in r}
    assert expiring == {"expire-call-blobs"}
    assert [r["Prefix"] for r in bucket["LifecycleConfiguration"]["Rules"] if "ExpirationInDays" in r] == ["calls/"]
