"""Deployed functions read their secrets from AWS Secrets Manager (a real moto server here)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from shared.secret_loader import SECRETS_ARN_VARIABLE, SecretLoadError, parse_secret_string
from shared.settings import SettingsError, load_settings
from tests.s3_server import S3Server, S3ServerUnavailable, start_moto

SECRET_VALUES = {
    "TWILIO_AUTH_TOKEN": "0123456789abcdef0123456789abcdef",
    "TURSO_AUTH_TOKEN": "turso-jwt-for-tests",
    "RESEND_API_KEY": "re_123456789",
    "DASHBOARD_WEBHOOK_SECRET": "s" * 40,
    "WORKER_API_TOKEN": "k" * 40,
}
PRODUCTION_ENV = {
    "BUDDYHELPS_ENV": "production",
    "PUBLIC_BASE_URL": "https://abc.execute-api.us-east-1.amazonaws.com",
    "TWILIO_ACCOUNT_SID": "AC0123456789abcdef0123456789abcdef",
    "TURSO_DATABASE_URL": "libsql://buddyhelps-example.turso.io",
    "BLOB_BACKEND": "s3",
    "S3_BUCKET": "buddyhelps-blobs",
}


@pytest.fixture(scope="module")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    try:
        server = start_moto(tmp_path_factory.mktemp("moto"))
    except S3ServerUnavailable as error:
        pytest.skip(f"moto server unavailable: {error}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def secrets_client(moto: S3Server, monkeypatch: pytest.MonkeyPatch) -> Any:
    for name in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", moto.endpoint_url)
    for name in (*SECRET_VALUES, *PRODUCTION_ENV, SECRETS_ARN_VARIABLE):
        monkeypatch.delenv(name, raising=False)
    return boto3.client("secretsmanager", region_name="us-east-1", endpoint_url=moto.endpoint_url)


def deployed_environment(monkeypatch: pytest.MonkeyPatch, secret_arn: str, tmp_path: Path) -> None:
    for name, value in PRODUCTION_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("BUDDYHELPS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv(SECRETS_ARN_VARIABLE, secret_arn)


def test_given_a_filled_secret_when_a_function_builds_settings_then_it_starts_with_those_secrets(
    secrets_client: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    arn = secrets_client.create_secret(Name="app-filled", SecretString=json.dumps(SECRET_VALUES))["ARN"]
    deployed_environment(monkeypatch, arn, tmp_path)

    with caplog.at_level(logging.INFO, logger="shared.secret_loader"):
        settings = load_settings()

    assert settings.is_production
    assert settings.twilio_auth_token == SECRET_VALUES["TWILIO_AUTH_TOKEN"]
    assert settings.turso_auth_token == SECRET_VALUES["TURSO_AUTH_TOKEN"]
    assert settings.resend_api_key == SECRET_VALUES["RESEND_API_KEY"]
    assert settings.dashboard_webhook_secret == SECRET_VALUES["DASHBOARD_WEBHOOK_SECRET"]
    logged = caplog.text + " ".join(str(getattr(r, "keys", "")) for r in caplog.records)
    assert "TWILIO_AUTH_TOKEN" in logged
    assert all(value not in logged for value in SECRET_VALUES.values())


def test_given_an_environment_variable_when_the_secret_has_the_same_key_then_the_variable_wins(
    secrets_client: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    arn = secrets_client.create_secret(Name="app-override", SecretString=json.dumps(SECRET_VALUES))["ARN"]
    deployed_environment(monkeypatch, arn, tmp_path)
    monkeypatch.setenv("RESEND_API_KEY", "re_from_environment")

    assert load_settings().resend_api_key == "re_from_environment"


def test_given_a_secret_without_a_value_when_settings_are_built_then_start_up_fails_naming_it(
    secrets_client: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    arn = secrets_client.create_secret(Name="app-empty")["ARN"]
    deployed_environment(monkeypatch, arn, tmp_path)

    with pytest.raises(SettingsError, match="app-empty"):
        load_settings()


def test_given_a_missing_secret_key_when_settings_are_built_then_production_refuses_the_placeholder(
    secrets_client: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    partial = {k: v for k, v in SECRET_VALUES.items() if k != "DASHBOARD_WEBHOOK_SECRET"}
    arn = secrets_client.create_secret(Name="app-partial", SecretString=json.dumps(partial))["ARN"]
    deployed_environment(monkeypatch, arn, tmp_path)

    with pytest.raises(ValueError, match="DASHBOARD_WEBHOOK_SECRET"):
        load_settings()


def test_given_no_secret_arn_when_settings_are_built_then_nothing_is_fetched(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(SECRETS_ARN_VARIABLE, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", "http://127.0.0.1:9")  # would fail if called

    assert load_settings().env == "development"


def test_given_a_secret_that_is_not_a_json_object_when_parsed_then_the_error_names_the_secret() -> None:
    with pytest.raises(SecretLoadError, match="my-secret is not a JSON object"):
        parse_secret_string("TWILIO_AUTH_TOKEN=abc", secret_id="my-secret")
    with pytest.raises(SecretLoadError, match="must be a string"):
        parse_secret_string('{"TWILIO_AUTH_TOKEN": 5}', secret_id="my-secret")


def test_given_unknown_keys_when_parsed_then_only_known_settings_are_kept() -> None:
    values = parse_secret_string('{"TWILIO_AUTH_TOKEN": "t", "AWS_SECRET_ACCESS_KEY": "x"}', secret_id="s")
    assert values == {"TWILIO_AUTH_TOKEN": "t"}
