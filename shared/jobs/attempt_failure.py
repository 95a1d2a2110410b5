"""Why one attempt at a job failed, and whether trying again later can help."""

from __future__ import annotations


class AttemptFailed(Exception):
    """An attempt that did not finish. `retryable`: a later attempt may succeed (a worker or Twilio down);
    otherwise the job fails at once (a recording too long, too big, or not Twilio's). The message is
    shown to operators as it is, so it never holds a secret."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable
