"""One Settings object, built at each entry point and passed down.

Nothing below an entry point reads the environment. The embedded default needs no variable set:
every field has a development value. In production, missing or placeholder secrets stop start-up.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from shared.worker_capacity import default_worker_capacity

# Development values of secrets. They are fine on a laptop and refused in production.
DEV_TWILIO_AUTH_TOKEN = "dev-twilio-auth-token"  # noqa: S105 - a known placeholder, refused in production
DEV_WEBHOOK_SECRET = "dev-webhook-secret"  # noqa: S105 - a known placeholder, refused in production
DEV_WORKER_API_TOKEN = "dev-worker-api-token"  # noqa: S105 - a known placeholder, refused in production
DEV_TWILIO_ACCOUNT_SID = "AC00000000000000000000000000000000"
PLACEHOLDER_MARKERS = ("changeme", "change-me", "placeholder", "dev-", "xxx", "todo")


class SettingsError(ValueError):
    """Configuration that must not be used; the message says which variable and why."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True, populate_by_name=True)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Deployed functions: secrets from AWS Secrets Manager when BUDDYHELPS_SECRETS_ARN is set
        # (shared/secret_loader.py); arguments and environment variables still take precedence.
        from shared.secret_loader import SecretsManagerSource  # here: avoids an import cycle

        return init_settings, env_settings, SecretsManagerSource(settings_cls), dotenv_settings, file_secret_settings

    env: Literal["development", "production"] = Field("development", alias="BUDDYHELPS_ENV")
    data_dir: Path = Field(Path("data"), alias="BUDDYHELPS_DATA_DIR")
    log_level: str = Field("INFO", alias="BUDDYHELPS_LOG_LEVEL")

    # Public URL Twilio calls (scheme + host + stage path, no trailing slash). Signatures are checked
    # against this, never against the Host header seen behind API Gateway.
    public_base_url: str = Field("http://127.0.0.1:8000", alias="PUBLIC_BASE_URL")

    # Twilio. Secret fields are repr=False: printing or logging Settings never shows them.
    twilio_account_sid: str = Field(DEV_TWILIO_ACCOUNT_SID, alias="TWILIO_ACCOUNT_SID")
    twilio_auth_token: str = Field(DEV_TWILIO_AUTH_TOKEN, alias="TWILIO_AUTH_TOKEN", repr=False)
    twilio_api_base_url: str | None = Field(None, alias="TWILIO_API_BASE_URL")
    # Production: the SQS queue the scheduled outbound dispatcher fills and the dialling Lambda drains.
    outbound_queue_url: str | None = Field(None, alias="OUTBOUND_QUEUE_URL")
    # Production: the SQS queue of background jobs (voicemail transcription); unset, the database is the queue.
    voicemail_queue_url: str | None = Field(None, alias="VOICEMAIL_QUEUE_URL")
    twilio_sms_from: str = Field("+15550100000", alias="TWILIO_SMS_FROM")
    # Real SMS only when explicitly on and the account is real; otherwise the outbox records them.
    twilio_send_sms: bool = Field(False, alias="TWILIO_SEND_SMS")

    # Database: a libSQL file by default, Turso (libsql://, https://, wss://) in production.
    turso_database_url: str | None = Field(None, alias="TURSO_DATABASE_URL")
    turso_auth_token: str | None = Field(None, alias="TURSO_AUTH_TOKEN", repr=False)

    # Email
    resend_api_key: str | None = Field(None, alias="RESEND_API_KEY", repr=False)
    resend_api_url: str | None = Field(None, alias="RESEND_API_URL")
    email_from: str = Field("BuddyHelps <calls@buddyhelps.local>", alias="EMAIL_FROM")

    # HMAC key of worker → functions reports; stream tokens use a key derived from it.
    dashboard_webhook_secret: str = Field(DEV_WEBHOOK_SECRET, alias="DASHBOARD_WEBHOOK_SECRET", repr=False)

    # Blob storage: a local folder by default, S3 in production.
    blob_backend: Literal["local", "s3"] = Field("local", alias="BLOB_BACKEND")
    s3_bucket: str | None = Field(None, alias="S3_BUCKET")
    s3_endpoint_url: str | None = Field(None, alias="S3_ENDPOINT_URL")
    aws_region: str = Field("us-east-1", alias="AWS_REGION")
    # Only for S3-compatible servers outside AWS (on AWS the role's credentials are used).
    s3_access_key_id: str | None = Field(None, alias="S3_ACCESS_KEY_ID")
    s3_secret_access_key: str | None = Field(None, alias="S3_SECRET_ACCESS_KEY")

    # Worker pool: the worker registered by `buddyhelps serve`/`seed-demo` in development.
    default_worker_url: str = Field("http://127.0.0.1:8001", alias="DEFAULT_WORKER_URL")
    worker_health_ttl_s: float = Field(10.0, alias="WORKER_HEALTH_TTL_S")

    # Operator console (/admin): how long a sign-in lasts.
    admin_session_hours: float = Field(12.0, alias="ADMIN_SESSION_HOURS")
    # Proxies whose X-Forwarded-For `buddyhelps serve` believes (comma-separated IPs): none by default, so a
    # client cannot choose the address sign-in locks count. Behind API Gateway, Lambda sees the source IP.
    trusted_proxy_ips: str = Field("", alias="TRUSTED_PROXY_IPS")

    # GPU worker
    worker_id: str = Field("local", alias="WORKER_ID")
    # Calls at once; by default the load test's measured calls per core × this machine's cores.
    worker_capacity: int = Field(default_factory=lambda: default_worker_capacity(), alias="WORKER_CAPACITY")
    # Bearer token of every worker route but /health and the media socket (the worker's URL is public):
    # the functions, the console and the CLI send it; the worker compares it in constant time.
    worker_api_token: str = Field(DEV_WORKER_API_TOKEN, alias="WORKER_API_TOKEN", repr=False)
    # The longest call: the agent then says a closing line and hangs up (Modal/RunPod timeouts exceed it).
    max_call_seconds: float = Field(1800.0, alias="MAX_CALL_SECONDS", gt=0)
    functions_base_url: str | None = Field(None, alias="FUNCTIONS_BASE_URL")
    models_dir: Path = Field(Path(".models"), alias="BUDDYHELPS_MODELS_DIR")
    stt_backend: Literal["faster-whisper"] = Field("faster-whisper", alias="STT_BACKEND")
    stt_model: str = Field("base", alias="STT_MODEL")  # base | tiny.en | a CT2 folder | a hub name on GPU
    stt_device: Literal["cpu", "cuda"] = Field("cpu", alias="STT_DEVICE")
    llm_backend: Literal["llamacpp", "vllm"] = Field("llamacpp", alias="LLM_BACKEND")
    llm_model: str = Field("qwen2.5-0.5b-q4", alias="LLM_MODEL")  # GGUF name/path, or HF folder for vLLM
    tts_backend: Literal["kokoro-onnx", "kokoro-torch"] = Field("kokoro-onnx", alias="TTS_BACKEND")
    tts_voice: str = Field("af_heart", alias="TTS_VOICE")
    cpu_threads: int = Field(2, alias="BUDDYHELPS_CPU_THREADS")
    # How a knowledge answer is worded: by the LLM from the best chunks ("model", with the document's own
    # sentence as the fallback), or the document's own best sentence ("extract": no model time; the CPU
    # 0.5B model refused or ran past its limit on most questions, and its prompt kept 2 cores busy for
    # seconds). "auto": model with vLLM, extract with llama.cpp.
    knowledge_phrasing: Literal["auto", "model", "extract"] = Field("auto", alias="KNOWLEDGE_PHRASING")
    # The CPU default's 0.5B model phrases questions badly (refusals, invented prices): ask the next
    # missing detail word for word and keep the LLM for off-script turns. Turn off with a larger model.
    scripted_questions: bool = Field(True, alias="SCRIPTED_QUESTIONS")
    # Which planner reads the agent definition: guided (rules pick the next field; for small CPU models) or
    # led (the LLM drives with schema-constrained output, rules as guards; for a capable model under vLLM).
    planner: Literal["guided", "led"] = Field("guided", alias="PLANNER")

    # Deploying workers (`buddyhelps worker deploy-runpod`): the operator's RunPod API key.
    runpod_api_key: str | None = Field(None, alias="RUNPOD_API_KEY")

    # Booking visits (shared/calendars). The deployment's calendar credentials; which provider and calendar a
    # business uses is its own choice (business_calendars). No provider or a failing one: the caller is texted
    # the booking link (the business's own, else BOOKING_LINK_URL; with neither, the SMS promises a call back).
    calendar_provider: Literal["none", "google", "microsoft", "caldav"] = Field("none", alias="CALENDAR_PROVIDER")
    calendar_timeout_s: float = Field(10.0, alias="CALENDAR_TIMEOUT_S", gt=0)
    booking_link_url: str | None = Field(None, alias="BOOKING_LINK_URL")
    # Google Calendar: the service account's JSON key; each business shares its calendar with that account.
    google_service_account_json: str | None = Field(None, alias="GOOGLE_SERVICE_ACCOUNT_JSON", repr=False)
    google_calendar_id: str | None = Field(None, alias="GOOGLE_CALENDAR_ID")
    google_token_uri: str | None = Field(None, alias="GOOGLE_TOKEN_URI")  # default: the key file's
    google_calendar_api_base: str = Field("https://www.googleapis.com/calendar/v3", alias="GOOGLE_CALENDAR_API_BASE")
    # Microsoft 365: an app registration with the Calendars.ReadWrite application permission.
    ms_tenant_id: str | None = Field(None, alias="MS_TENANT_ID")
    ms_client_id: str | None = Field(None, alias="MS_CLIENT_ID")
    ms_client_secret: str | None = Field(None, alias="MS_CLIENT_SECRET", repr=False)
    ms_calendar_mailbox: str | None = Field(None, alias="MS_CALENDAR_MAILBOX")
    ms_authority: str = Field("https://login.microsoftonline.com", alias="MS_AUTHORITY")
    ms_graph_base: str = Field("https://graph.microsoft.com/v1.0", alias="MS_GRAPH_BASE")
    # CalDAV: the calendar collection's URL and an account (an app password) allowed to write it.
    caldav_url: str | None = Field(None, alias="CALDAV_URL")
    caldav_username: str | None = Field(None, alias="CALDAV_USERNAME")
    caldav_password: str | None = Field(None, alias="CALDAV_PASSWORD", repr=False)

    @model_validator(mode="after")
    def _refuse_placeholders_in_production(self) -> Settings:
        if self.env != "production":
            return self
        required = {
            "TWILIO_ACCOUNT_SID": self.twilio_account_sid,
            "TWILIO_AUTH_TOKEN": self.twilio_auth_token,
            "DASHBOARD_WEBHOOK_SECRET": self.dashboard_webhook_secret,
            "WORKER_API_TOKEN": self.worker_api_token,
            "TURSO_DATABASE_URL": self.turso_database_url,
            "PUBLIC_BASE_URL": self.public_base_url,
        }
        problems = [f"{name} is not set" for name, value in required.items() if not value]
        problems += [
            f"{name} looks like a placeholder"
            for name, value in required.items()
            if value and name != "PUBLIC_BASE_URL" and _looks_like_placeholder(value)
        ]
        if self.twilio_account_sid == DEV_TWILIO_ACCOUNT_SID:
            problems.append("TWILIO_ACCOUNT_SID is the development placeholder")
        if len(self.dashboard_webhook_secret) < 32:
            problems.append("DASHBOARD_WEBHOOK_SECRET must be at least 32 characters")
        if len(self.worker_api_token) < 32:
            problems.append("WORKER_API_TOKEN must be at least 32 characters")
        if self.public_base_url.startswith("http://"):
            problems.append("PUBLIC_BASE_URL must be https:// in production")
        if self.blob_backend == "s3" and not self.s3_bucket:
            problems.append("S3_BUCKET is not set while BLOB_BACKEND=s3")
        if problems:
            raise SettingsError("refusing to start in production: " + "; ".join(problems))
        return self

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def knowledge_uses_model(self) -> bool:
        """Whether knowledge answers are worded by the LLM (see knowledge_phrasing)."""
        if self.knowledge_phrasing == "auto":
            return self.llm_backend == "vllm"
        return self.knowledge_phrasing == "model"

    @property
    def database_url(self) -> str:
        if self.turso_database_url:
            return self.turso_database_url
        return f"file:{(self.data_dir / 'buddyhelps.db').as_posix()}"

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "worker-outbox"

    @property
    def report_url(self) -> str:
        return (self.functions_base_url or self.public_base_url).rstrip("/") + "/api/call-complete"

    def public_url(self, path: str) -> str:
        return self.public_base_url.rstrip("/") + path


def _looks_like_placeholder(value: str) -> bool:
    lowered = value.lower()
    return any(marker in lowered for marker in PLACEHOLDER_MARKERS)


def load_settings(**overrides: object) -> Settings:
    """Build Settings from the environment (entry points only), with explicit overrides for tests."""
    return Settings(**overrides)  # type: ignore[arg-type]
