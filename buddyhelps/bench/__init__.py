"""`buddyhelps bench`: our worker and a stock Pipecat peer on the same simulated calls, plus a load test."""

from buddyhelps.bench.command import register

__all__ = ["register"]
