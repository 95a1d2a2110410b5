"""Outbound calls that pursue a goal: campaigns, the call-job queue, calling rules and results."""
