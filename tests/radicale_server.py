"""The real CalDAV server the calendar tests book into (buddyhelps/radicale_server.py, which demos use too)."""

from buddyhelps.radicale_server import RadicaleServer, RadicaleUnavailable, start_radicale

__all__ = ["RadicaleServer", "RadicaleUnavailable", "start_radicale"]
