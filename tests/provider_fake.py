"""A real HTTP server on loopback that plays Twilio's Messages API and Resend's /emails for the real SDKs.

It records every request (path, auth, form or JSON body) and can be told to fail the next N requests
with a given status, so retries are tested through the SDKs' real HTTP code.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    answered: int

    @property
    def form(self) -> dict[str, str]:
        return {key: values[0] for key, values in parse_qs(self.body.decode()).items()}

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def basic_auth_user(self) -> str:
        encoded = self.headers.get("authorization", "").removeprefix("Basic ")
        return base64.b64decode(encoded).decode().split(":", 1)[0] if encoded else ""


@dataclass
class ProviderFake:
    base_url: str = ""
    requests: list[RecordedRequest] = field(default_factory=list)
    _failures: list[int] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _call_updated: threading.Event = field(default_factory=threading.Event)

    def fail_next(self, count: int, *, status: int = 503) -> None:
        with self._lock:
            self._failures.extend([status] * count)

    def sms(self) -> list[RecordedRequest]:
        """Twilio message creations that succeeded."""
        return [r for r in self.requests if r.path.endswith("/Messages.json") and r.answered < 300]

    def call_updates(self) -> list[RecordedRequest]:
        return [r for r in self.requests if "/Calls/" in r.path and r.answered < 300]

    def wait_call_update(self, timeout_s: float) -> bool:
        """Block (in a thread) until a call was updated, or the timeout passed."""
        return self._call_updated.wait(timeout_s)

    def emails(self) -> list[RecordedRequest]:
        """Resend sends that succeeded."""
        return [r for r in self.requests if r.path == "/emails" and r.answered < 300]

    def _answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
        with self._lock:
            failure = self._failures.pop(0) if self._failures else None
        if failure is not None:
            status, payload = failure, {"message": "injected failure", "code": 20500, "status": failure}
        elif path.endswith("/Messages.json") and method == "POST":
            form = {key: values[0] for key, values in parse_qs(body.decode()).items()}
            sid = "SM" + secrets.token_hex(16)
            status, payload = 201, {"sid": sid, "status": "queued", "to": form.get("To"), "body": form.get("Body")}
        elif "/Calls/" in path and path.endswith(".json") and method == "POST":  # calls(sid).update (a transfer)
            status, payload = 200, {"sid": path.rsplit("/", 1)[-1].removesuffix(".json"), "status": "in-progress"}
        elif path == "/emails" and method == "POST":
            status, payload = 200, {"id": "em_" + secrets.token_hex(8)}
        else:
            status, payload = 404, {"message": f"no route {method} {path}"}
        with self._lock:
            self.requests.append(RecordedRequest(method, path, headers, body, status))
        if "/Calls/" in path and status < 300:
            self._call_updated.set()
        return status, payload


def _handler_for(fake: ProviderFake) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            headers = {key.lower(): value for key, value in self.headers.items()}
            status, payload = fake._answer("POST", self.path, headers, body)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            return  # keep test output quiet; requests are recorded on the fake

    return Handler


@contextmanager
def running_provider_fake() -> Iterator[ProviderFake]:
    fake = ProviderFake()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(fake))
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), name="provider-fake", daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
