"""The Jinja2 templates of the call page, the photo pages and the owner email (functions/templates/).

HTML templates are autoescaped; `.txt` templates (plain-text email) are not.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

URGENCY_LABELS = {"emergency": "EMERGENCY", "soon": "Soon", "routine": "Routine"}


def local_time(iso_utc: str | None, timezone: str, style: str = "%a %b %-d, %-I:%M %p %Z") -> str:
    """'2026-01-05T14:03:00.000Z' → 'Mon Jan 5, 9:03 AM EST' in the business's timezone."""
    if not iso_utc:
        return ""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    moment = datetime.fromisoformat(iso_utc.replace("Z", "+00:00"))
    return moment.astimezone(zone).strftime(style)


def urgency_label(urgency: str | None) -> str:
    return URGENCY_LABELS.get(urgency or "", "Unknown urgency")


def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("functions", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["local_time"] = local_time
    environment.filters["urgency_label"] = urgency_label
    return environment


templates = _environment()


def render(template: str, /, **context: Any) -> str:
    return templates.get_template(template).render(**context)
