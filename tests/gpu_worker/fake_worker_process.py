"""`python -m tests.gpu_worker.fake_worker_process`: the worker server as the pod runs it (runpod_entry),
with the fake stages instead of the models, for tests that need a real process (signals, exit)."""

from __future__ import annotations

import os
import sys

from gpu_worker import runpod_entry
from shared.settings import load_settings
from shared.structured_logging import configure_logging
from tests.gpu_worker.fake_stages import fake_models


def main() -> int:
    host, port = runpod_entry.listen_address(os.environ)
    settings = load_settings()
    configure_logging(settings.log_level)
    server = runpod_entry.build_server(settings, host=host, port=port, models=fake_models(caller_lines=[]))
    server.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
