"""A fake Twilio REST API on loopback: a real HTTP server that records every request the SDK sends."""

from __future__ import annotations

import json
import re
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class RecordedRequest:
    method: str
    path: str
    form: dict[str, str]


@dataclass
class FakeTwilioState:
    available: list[str] = field(default_factory=lambda: ["+15125550101", "+15125550102", "+15125550103"])
    owned: dict[str, dict[str, Any]] = field(default_factory=dict)  # sid → number resource
    requests: list[RecordedRequest] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add_owned(self, e164: str, voice_url: str = "https://old.example/voice") -> str:
        sid = "PN" + secrets.token_hex(16)
        self.owned[sid] = {"sid": sid, "phone_number": e164, "friendly_name": e164, "voice_url": voice_url}
        return sid


class _Handler(BaseHTTPRequestHandler):
    server: FakeTwilioServer

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _reply(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _record(self) -> tuple[str, dict[str, str]]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode() if length else ""
        path = urlsplit(self.path).path
        form = {key: values[0] for key, values in parse_qs(raw).items()}
        with self.server.state.lock:
            self.server.state.requests.append(RecordedRequest(self.command, path, form))
        return path, form

    def do_GET(self) -> None:
        path, _ = self._record()
        state = self.server.state
        if re.search(r"/AvailablePhoneNumbers/US/Local\.json$", path):
            query = parse_qs(urlsplit(self.path).query)
            area = query.get("AreaCode", [""])[0]
            numbers = [n for n in state.available if not area or n.startswith("+1" + area)]
            items = [
                {
                    "phone_number": n,
                    "friendly_name": f"({n[2:5]}) {n[5:8]}-{n[8:]}",
                    "locality": "Austin",
                    "region": "TX",
                }
                for n in numbers
            ]
            self._reply(200, {"available_phone_numbers": items, "uri": path})
        elif path.endswith("/IncomingPhoneNumbers.json"):
            self._reply(200, {"incoming_phone_numbers": list(state.owned.values()), "uri": path})
        else:
            self._reply(404, {"code": 20404, "message": "not found", "status": 404})

    def do_POST(self) -> None:
        path, form = self._record()
        state = self.server.state
        if path.endswith("/IncomingPhoneNumbers.json"):
            number = form.get("PhoneNumber", "")
            if number not in state.available:
                self._reply(400, {"code": 21422, "message": "PhoneNumber is not available", "status": 400})
                return
            state.available.remove(number)
            sid = state.add_owned(number, voice_url=form.get("VoiceUrl", ""))
            self._reply(201, state.owned[sid])
            return
        match = re.search(r"/IncomingPhoneNumbers/(PN\w+)\.json$", path)
        if match and match.group(1) in state.owned:
            resource = state.owned[match.group(1)]
            resource["voice_url"] = form.get("VoiceUrl", resource["voice_url"])
            self._reply(200, resource)
            return
        self._reply(404, {"code": 20404, "message": "not found", "status": 404})


class FakeTwilioServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = FakeTwilioState()
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def __enter__(self) -> FakeTwilioServer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join()

    def posts_to(self, suffix: str) -> list[RecordedRequest]:
        with self.state.lock:
            return [r for r in self.state.requests if r.method == "POST" and r.path.endswith(suffix)]
