"""Settings: the embedded default needs nothing; production refuses missing or placeholder secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.settings import Settings, load_settings

PRODUCTION = {
    "BUDDYHELPS_ENV": "production",
    "TWILIO_ACCOUNT_SID": "AC" + "9f" * 16,
    "TWILIO_AUTH_TOKEN": "5d1f0c7a9e3b46a2b8c4d6e0f1a2b3c4",
    "DASHBOARD_WEBHOOK_SECRET": "k3Jv9QxR2mZt8LwN5pYs7HbD4fGc6VnA",
    "WORKER_API_TOKEN": "Zq8Lm3Rt9Wx2Kd7Pv4Nb6Hc1Jf5Gs0Ye",
    "TURSO_DATABASE_URL": "libsql://buddyhelps-prod.turso.io",
    "PUBLIC_BASE_URL": "https://abc.execute-api.us-east-1.amazonaws.com/prod",
}


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No BuddyHelps variable from the developer's shell leaks into these tests."""
    for field in Settings.model_fields.values():
        if field.alias:
            monkeypatch.delenv(field.alias, raising=False)
    return monkeypatch


def test_the_embedded_default_needs_no_environment_variable(clean_env: pytest.MonkeyPatch) -> None:
    # GIVEN an environment with no BuddyHelps variable
    # WHEN settings load
    settings = load_settings()
    # THEN it is development on a local libSQL file, local blobs, and the local worker
    assert settings.is_production is False
    assert settings.database_url == "file:data/buddyhelps.db"
    assert settings.blob_backend == "local"
    assert settings.default_worker_url == "http://127.0.0.1:8001"
    assert settings.report_url == "http://127.0.0.1:8000/api/call-complete"


def test_environment_variables_are_read_at_the_entry_point(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # GIVEN variables for the data dir, public URL and Turso
    clean_env.setenv("BUDDYHELPS_DATA_DIR", str(tmp_path))
    clean_env.setenv("PUBLIC_BASE_URL", "https://calls.example.com/prod/")
    # WHEN settings load THEN they are used; public URLs never get a double slash
    settings = load_settings()
    assert settings.database_url == f"file:{tmp_path.as_posix()}/buddyhelps.db"
    assert settings.public_url("/incoming-call") == "https://calls.example.com/prod/incoming-call"
    clean_env.setenv("TURSO_DATABASE_URL", "libsql://db.turso.io")
    assert load_settings().database_url == "libsql://db.turso.io"


def test_a_complete_production_configuration_is_accepted(clean_env: pytest.MonkeyPatch) -> None:
    # GIVEN real-looking production values WHEN settings load THEN it starts in production
    for name, value in PRODUCTION.items():
        clean_env.setenv(name, value)
    assert load_settings().is_production


@pytest.mark.parametrize(
    ("variable", "value", "complaint"),
    [
        ("TWILIO_AUTH_TOKEN", None, "TWILIO_AUTH_TOKEN looks like a placeholder"),
        ("TWILIO_AUTH_TOKEN", "changeme", "TWILIO_AUTH_TOKEN looks like a placeholder"),
        ("TWILIO_ACCOUNT_SID", None, "TWILIO_ACCOUNT_SID is the development placeholder"),
        ("DASHBOARD_WEBHOOK_SECRET", None, "DASHBOARD_WEBHOOK_SECRET"),
        ("DASHBOARD_WEBHOOK_SECRET", "short-but-real-9f8e7d", "DASHBOARD_WEBHOOK_SECRET must be at least 32"),
        ("WORKER_API_TOKEN", None, "WORKER_API_TOKEN looks like a placeholder"),
        ("WORKER_API_TOKEN", "short-but-real-9f8e7d", "WORKER_API_TOKEN must be at least 32"),
        ("TURSO_DATABASE_URL", None, "TURSO_DATABASE_URL is not set"),
        ("TURSO_DATABASE_URL", "", "TURSO_DATABASE_URL is not set"),
        ("PUBLIC_BASE_URL", "http://abc.example.com", "PUBLIC_BASE_URL must be https://"),
        ("PUBLIC_BASE_URL", None, "PUBLIC_BASE_URL must be https://"),
    ],
)
def test_production_refuses_missing_or_placeholder_values_naming_the_variable(
    clean_env: pytest.MonkeyPatch, variable: str, value: str | None, complaint: str
) -> None:
    # GIVEN a production configuration with one variable missing (None) or bad
    for name, good in PRODUCTION.items():
        clean_env.setenv(name, good)
    if value is None:
        clean_env.delenv(variable)
    else:
        clean_env.setenv(variable, value)
    # WHEN settings load THEN start-up is refused and the message names the variable
    with pytest.raises(ValueError, match="refusing to start in production") as refused:
        load_settings()
    assert complaint in str(refused.value)


def test_production_with_s3_blobs_needs_a_bucket(clean_env: pytest.MonkeyPatch) -> None:
    # GIVEN production with BLOB_BACKEND=s3 and no bucket WHEN loaded THEN S3_BUCKET is named
    for name, value in PRODUCTION.items():
        clean_env.setenv(name, value)
    clean_env.setenv("BLOB_BACKEND", "s3")
    with pytest.raises(ValueError, match="S3_BUCKET is not set"):
        load_settings()
    clean_env.setenv("S3_BUCKET", "buddyhelps-blobs")
    assert load_settings().s3_bucket == "buddyhelps-blobs"


def test_secrets_do_not_show_in_the_settings_repr(clean_env: pytest.MonkeyPatch) -> None:
    # GIVEN production settings WHEN printed (an accidental log of the object) THEN no secret is in it
    for name, value in PRODUCTION.items():
        clean_env.setenv(name, value)
    clean_env.setenv("TURSO_AUTH_TOKEN", "turso-jwt-eyJhbGciOiJFZERTQSJ9.secret-part")
    text = repr(load_settings()) + str(load_settings())
    secrets = (PRODUCTION["TWILIO_AUTH_TOKEN"], PRODUCTION["DASHBOARD_WEBHOOK_SECRET"], PRODUCTION["WORKER_API_TOKEN"])
    for secret in (*secrets, "secret-part"):
        assert secret not in text
