"""`python -m tests.functions.outbound.outbound_worker_process`: the worker server with fake stages whose
speech-to-text 'hears' the lines in OUTBOUND_HEARD (JSON list), in order, for outbound call tests; its
language model streams a word every OUTBOUND_LLM_WORD_S seconds (default 0: at once)."""

from __future__ import annotations

import json
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
    heard = json.loads(os.environ.get("OUTBOUND_HEARD", "[]"))
    word_s = float(os.environ.get("OUTBOUND_LLM_WORD_S", "0"))
    models = fake_models(caller_lines=heard, delay_s=word_s)
    server = runpod_entry.build_server(settings, host=host, port=port, models=models)
    server.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
