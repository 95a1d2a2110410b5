"""JSON logs with the call sid on every line, phone numbers masked, secrets and credential links never printed."""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
from typing import Any

call_sid_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("call_sid", default=None)

# Digit runs that look like phone numbers; never one that starts mid-number or an ISO date (2026-11-21...).
# E.164 (+15550100001) or a North American number written the usual ways; not IPs, ports, dates or ids.
_PHONE = re.compile(
    r"(?<![\w.:+-])(?:\+\d{8,15}|\+?\d{1,3}[\s.-]\d{2,4}[\s.-]\d{3,4}[\s.-]\d{3,4}"
    r"|(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4})(?![\w:-]|\.\d)"
)
# Links that are credentials: a photo token, a call page id (also in console paths and old photo keys).
_CREDENTIAL_PATH = re.compile(r"(/(?:photo|c|calls)/)[A-Za-z0-9_-]{16,}")
# A call id opens the call page: logs correlate calls by their call sid instead.
_SECRET_KEYS = ("token", "secret", "password", "auth", "api_key", "signature", "call_id")
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def mask_phone(value: str) -> str:
    """'+15550100001' → '+1555•••0001': enough to tell numbers apart, not enough to dial."""
    digits = re.sub(r"\D", "", value)
    if len(digits) < 7:
        return "•" * len(digits)
    return ("+" if value.strip().startswith("+") else "") + digits[:4] + "•••" + digits[-4:]


def redact_credential_paths(text: str) -> str:
    """'/photo/AbC…' → '/photo/[redacted]' (and /c/, /calls/): a link that opens a call is a password."""
    return _CREDENTIAL_PATH.sub(r"\1[redacted]", text)


def mask_text(text: str) -> str:
    return _PHONE.sub(lambda match: mask_phone(match.group(0)), redact_credential_paths(text))


def _clean(key: str, value: Any) -> Any:
    if any(part in key.lower() for part in _SECRET_KEYS):
        return "[redacted]"
    if isinstance(value, str):
        return mask_text(value)
    # Nested fields (a request's headers, a list of attempts) are cleaned by their own keys too.
    if isinstance(value, dict):
        return {k: _clean(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(key, item) for item in value]
    return value


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": mask_text(record.getMessage()),
        }
        call_sid = getattr(record, "call_sid", None) or call_sid_var.get()
        if call_sid:
            entry["call_sid"] = call_sid
        for key, value in vars(record).items():
            if key not in _STANDARD and key != "call_sid":
                entry[key] = _clean(key, value)
        if record.exc_info:
            entry["error"] = mask_text(self.formatException(record.exc_info))
        return json.dumps(entry, default=str)


def configure_logging(level: str = "INFO") -> None:
    """Install the JSON formatter on the root logger (entry points only)."""
    logging.Formatter.converter = __import__("time").gmtime
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("httpx", "httpcore", "botocore", "urllib3", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
