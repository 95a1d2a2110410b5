"""`terraform apply` of the real module against a local moto server, then a look at what exists.

Opt-in (TERRAFORM_MOTO_APPLY=1 or `make terraform-moto`): apply + destroy take about 150 s, mostly the AWS
provider waiting on the bucket lifecycle rules, which would double the time `make test` spends on
Terraform. The mocked-provider suite (test_terraform.py) runs every time.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.infra.test_terraform import SCRIPT, UNAVAILABLE
from tests.s3_server import S3Server, S3ServerUnavailable, start_moto

ROOT = Path(__file__).resolve().parents[2]
MODULE = ROOT / "infra" / "terraform"
SERVICES = ("apigatewayv2", "cloudwatch", "cloudwatchlogs", "iam", "lambda", "s3", "secretsmanager", "sns", "sts")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("TERRAFORM_MOTO_APPLY") != "1",
        reason="apply + destroy against moto takes ~150 s: run with TERRAFORM_MOTO_APPLY=1 (make terraform-moto)",
    ),
]


def provider_override(endpoint: str) -> str:
    endpoints = "\n".join(f'    {service} = "{endpoint}"' for service in SERVICES)
    return f"""provider "aws" {{
  region                      = "us-east-1"
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  s3_use_path_style           = true
  endpoints {{
{endpoints}
  }}
}}
"""


@pytest.fixture(scope="module")
def applied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[S3Server, dict[str, Any]]]:
    check = subprocess.run(["bash", str(SCRIPT), "--check"], capture_output=True, text=True, check=False)
    if check.returncode == UNAVAILABLE:
        pytest.skip(f"terraform cannot run offline here: {check.stderr.strip()}")
    workdir = tmp_path_factory.mktemp("tf-moto")
    try:
        moto = start_moto(workdir / "moto")
    except S3ServerUnavailable as error:
        pytest.skip(f"moto server unavailable: {error}")
    module = workdir / "module"
    module.mkdir()
    for source in MODULE.glob("*.tf"):
        shutil.copy(source, module)
    shutil.copy(MODULE / "tests" / "fixtures" / "lambda.zip", module / "lambda.zip")
    (module / "moto_override.tf").write_text(provider_override(moto.endpoint_url))
    variables = [
        "-var=lambda_zip_path=lambda.zip",
        "-var=twilio_account_sid=AC0123456789abcdef0123456789abcdef",
        "-var=twilio_sms_from=+15551230000",
        "-var=email_from=calls@example.com",
        "-var=turso_database_url=libsql://buddyhelps-example.turso.io",
        "-var=tracing_mode=PassThrough",
    ]
    env = {**os.environ, "TF_DIR": str(module)}

    def terraform(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=400, check=False
        )

    try:
        init = terraform("init", "-backend=false", "-input=false", "-no-color")
        assert init.returncode == 0, init.stdout + init.stderr
        apply = terraform("apply", "-auto-approve", "-input=false", "-no-color", *variables)
        assert apply.returncode == 0, apply.stdout[-4000:] + apply.stderr
        output = terraform("output", "-json")
        yield moto, {name: value["value"] for name, value in json.loads(output.stdout).items()}
        destroy = terraform("destroy", "-auto-approve", "-input=false", "-no-color", *variables)
        assert destroy.returncode == 0, destroy.stdout[-4000:] + destroy.stderr
    finally:
        moto.stop()


def client(moto: S3Server, service: str) -> Any:
    session: Any = boto3.session.Session()
    return session.client(
        service,
        endpoint_url=moto.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def test_given_an_apply_then_the_api_routes_every_webhook_to_a_created_function(
    applied: tuple[S3Server, dict[str, Any]],
) -> None:
    moto, outputs = applied
    api_id = outputs["public_base_url"].removeprefix("https://").split(".")[0]
    routes = {route["RouteKey"] for route in client(moto, "apigatewayv2").get_routes(ApiId=api_id)["Items"]}
    assert {"POST /incoming-call", "POST /call-status", "POST /api/call-complete", "GET /healthz"} <= routes
    functions = {f["FunctionName"]: f for f in client(moto, "lambda").list_functions()["Functions"]}
    incoming = functions[outputs["function_names"]["incoming_call"]]
    assert incoming["Handler"] == "functions.incoming_call.handler"
    assert incoming["Environment"]["Variables"]["PUBLIC_BASE_URL"] == outputs["public_base_url"]
    assert outputs["voice_webhook_url"] == outputs["public_base_url"] + "/incoming-call"


def test_given_an_apply_then_the_bucket_blocks_public_access_and_encrypts(
    applied: tuple[S3Server, dict[str, Any]],
) -> None:
    moto, outputs = applied
    s3 = client(moto, "s3")
    block = s3.get_public_access_block(Bucket=outputs["blob_bucket"])["PublicAccessBlockConfiguration"]
    assert all(block.values())
    rules = s3.get_bucket_encryption(Bucket=outputs["blob_bucket"])["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
