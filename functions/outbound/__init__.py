"""Outbound calls: placing them (call_placer, dispatch), their TwiML and webhooks (call_events)."""
