"""Secret settings from AWS Secrets Manager, read once when Settings is built (Lambda cold start).

The deployed functions get `BUDDYHELPS_SECRETS_ARN` instead of secret environment variables; the
secret's value is a JSON object whose keys are the settings' environment names:
    {"TWILIO_AUTH_TOKEN": "...", "TURSO_AUTH_TOKEN": "...", "RESEND_API_KEY": "...",
     "DASHBOARD_WEBHOOK_SECRET": "..."}
`Settings` adds `SecretsManagerSource` after the environment (an explicit environment variable still
wins), so no handler changes: without the variable nothing is fetched and boto3 is not imported.
Why at cold start rather than at deploy time: the values never enter the Terraform state, the
CloudFormation template or the Lambda configuration, and a rotated value is used by the next cold start.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from shared.settings import SettingsError

log = logging.getLogger(__name__)

SECRETS_ARN_VARIABLE = "BUDDYHELPS_SECRETS_ARN"
SECRET_KEYS = frozenset(
    {"TWILIO_AUTH_TOKEN", "TURSO_AUTH_TOKEN", "RESEND_API_KEY", "DASHBOARD_WEBHOOK_SECRET", "WORKER_API_TOKEN"}
)


class SecretLoadError(SettingsError):
    """The secret could not be read or is not what the functions expect; says which and why."""


def parse_secret_string(secret_string: str, *, secret_id: str) -> dict[str, str]:
    """The known secret settings of a secret's JSON value. Unknown keys are ignored (and logged)."""
    try:
        parsed = json.loads(secret_string)
    except json.JSONDecodeError as error:
        raise SecretLoadError(f"secret {secret_id} is not a JSON object: {error.msg}") from None
    if not isinstance(parsed, dict):
        raise SecretLoadError(f"secret {secret_id} is not a JSON object of setting names to values")
    unknown = sorted(set(parsed) - SECRET_KEYS)
    if unknown:
        log.warning("ignoring unknown keys in the app secret", extra={"keys": unknown})
    values: dict[str, str] = {}
    for key in sorted(SECRET_KEYS & set(parsed)):
        value = parsed[key]
        if not isinstance(value, str):
            raise SecretLoadError(f"secret {secret_id}: {key} must be a string")
        if value:
            values[key] = value
    return values


def fetch_secret_values(secret_id: str, *, region: str | None = None, client: Any = None) -> dict[str, str]:
    """Read the secret once. Logs which keys were found, never their values."""
    if client is None:
        import boto3  # here: only deployed functions import boto3

        client = boto3.client("secretsmanager", region_name=region)
    try:
        response = client.get_secret_value(SecretId=secret_id)
    except Exception as error:  # botocore raises many types; all mean "cannot start"
        code = getattr(error, "response", {}).get("Error", {}).get("Code", type(error).__name__)
        raise SecretLoadError(f"cannot read secret {secret_id}: {code}") from error
    secret_string = response.get("SecretString")
    if not isinstance(secret_string, str):
        raise SecretLoadError(f"secret {secret_id} has no string value (put one with put-secret-value)")
    values = parse_secret_string(secret_string, secret_id=secret_id)
    log.info("loaded app secret", extra={"keys": sorted(values)})
    return values


class SecretsManagerSource(PydanticBaseSettingsSource):
    """A pydantic-settings source: the app secret's values, when `BUDDYHELPS_SECRETS_ARN` is set."""

    def __init__(self, settings_cls: type[BaseSettings], environ: dict[str, str] | None = None) -> None:
        super().__init__(settings_cls)
        # Read here, as the environment source itself does: this runs only while Settings is built.
        self._environ = dict(os.environ) if environ is None else environ

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # everything is returned at once by __call__

    def __call__(self) -> dict[str, Any]:
        secret_id = self._environ.get(SECRETS_ARN_VARIABLE, "").strip()
        if not secret_id:
            return {}
        region = self._environ.get("AWS_REGION") or self._environ.get("AWS_DEFAULT_REGION")
        values = fetch_secret_values(secret_id, region=region)
        # Keys are the fields' aliases (the environment names), which Settings accepts. Sources
        # listed before this one (init arguments, the environment) take precedence.
        return dict(values)
