"""The people (and machines) the simulated Twilio rings for outbound calls, as data: one YAML per template."""
