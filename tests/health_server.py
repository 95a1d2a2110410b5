"""A stand-in GPU worker for routing tests: a real HTTP server on loopback answering GET /health.

It runs in its own thread, so async tests (httpx in the test's loop) and sync tests (Mangum's loop)
can both reach it. Tests change what it answers (`status`, `body`) and read how often it was asked.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class HealthServer:
    base_url: str = ""
    status: int = 200
    body: Any = field(default_factory=lambda: {"ready": True, "active_calls": 0, "capacity": 4})
    requests: int = 0

    def answer(self, status: int, body: Any) -> None:
        self.status, self.body = status, body


@contextmanager
def health_server(status: int = 200, body: Any = None) -> Iterator[HealthServer]:
    state = HealthServer(status=status)
    if body is not None:
        state.body = body

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path != "/health":
                self.send_error(404)
                return
            state.requests += 1
            payload = state.body if isinstance(state.body, bytes) else json.dumps(state.body).encode()
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
