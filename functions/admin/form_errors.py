"""Turn pydantic validation errors into sentences an operator can act on."""

from __future__ import annotations

from pydantic import ValidationError


def error_messages(error: ValidationError) -> list[str]:
    messages = []
    for item in error.errors():
        field = " ".join(str(part) for part in item["loc"]).replace("_", " ")
        text = str(item["msg"]).removeprefix("Value error, ")
        messages.append(f"{field}: {text}" if field else text)
    return messages
