"""The message form as data: which fields gather a take_message message, the arguments they make when
the call ends, and the definition refusing a form that could never send a message."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from gpu_worker.tools.message_form import form_fields, message_arguments
from shared.agents.definition import AgentDefinition
from shared.agents.templates import load_template


def test_the_front_desk_gathers_a_message_as_a_form_and_the_trades_take_one_in_a_turn() -> None:
    assert form_fields(load_template("front_desk")) == {
        "for_whom": "recipient",
        "from_name": "name",
        "callback": "callback",
        "message": "message",
    }
    assert form_fields(load_template("plumbing")) == {}


def test_the_forms_values_make_the_tools_arguments_and_no_message_makes_none() -> None:
    desk = load_template("front_desk")
    values = {"recipient": "Dana", "name": "Priya  Shah", "callback": "+15555550177", "message": "Call me.\n"}
    assert message_arguments(desk, values) == {
        "for_whom": "Dana",
        "from_name": "Priya Shah",
        "callback": "+15555550177",
        "message": "Call me.",
    }
    assert message_arguments(desk, {"recipient": "Dana", "message": "  "}) is None
    assert message_arguments(desk, {"message": "x" * 3000}) == {"message": "x" * 2000}
    assert message_arguments(load_template("plumbing"), {"problem": "a leak"}) is None


def _desk_with(**changes: Any) -> dict[str, Any]:
    data = load_template("front_desk").model_dump(mode="json")
    for name, part in changes.items():
        next(field for field in data["fields"] if field["name"] == name)["message_part"] = part
    return data


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"recipient": "message"}, "repeated: message"),
        ({"message": None}, "needs the field that gathers the message"),
        ({"callback": "message", "message": None}, "message_part message needs a free_text field"),
        ({"name": "callback", "callback": None}, "message_part callback needs a phone field"),
    ],
)
def test_a_form_that_could_not_send_a_message_is_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        AgentDefinition.model_validate(_desk_with(**changes))


def test_a_form_needs_the_take_message_tool() -> None:
    data = _desk_with()
    data["tools"] = ["hours"]
    with pytest.raises(ValidationError, match="tools must include take_message"):
        AgentDefinition.model_validate(data)
