"""filter.valid: the validator's errors for a target drop a record; warnings never do."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from ftprep.record import Record
from ftprep.steps.filter.valid import ValidFilter


def rec(*messages: dict[str, object], **top: object) -> Record:
    return Record.from_dict({"messages": list(messages), **top})


USER = {"role": "user", "content": "Where is my order?"}
REPLY = {"role": "assistant", "content": "It ships today."}
CALL = {
    "role": "assistant",
    "content": None,
    "tool_calls": [
        {"id": "c1", "type": "function", "function": {"name": "track", "arguments": '{"id": 1}'}}
    ],
}
TOOLS = [{"type": "function", "function": {"name": "track", "parameters": {"type": "object"}}}]


def test_clean_records_and_warnings_are_kept() -> None:
    assert ValidFilter().check(rec(USER, REPLY)) is None
    # no system message and a very short reply are warnings, not errors
    assert ValidFilter().check(rec(USER, {"role": "assistant", "content": "OK."})) is None


def test_errors_drop_with_code_value_and_detail() -> None:
    reject = ValidFilter().check(rec(USER, CALL, REPLY, tools=TOOLS))
    assert reject is not None and reject.code == "tool_call_unanswered"
    assert reject.value == ["tool_call_unanswered"]
    assert reject.detail and reject.detail.startswith("messages[1].tool_calls")
    answered = rec(
        USER, CALL, {"role": "tool", "tool_call_id": "c1", "content": "ok"}, REPLY, tools=TOOLS
    )
    assert ValidFilter().check(answered) is None
    reject = ValidFilter().check(
        rec(USER, {"role": "assistant", "content": "Hi", "weight": 1}, USER)
    )
    assert ValidFilter(target="openai").check(rec(USER)) is not None  # no assistant message
    assert reject is None or reject.code != "invalid_weight"


def test_targets_and_overrides() -> None:
    ends_with_user = rec(USER, REPLY, USER)
    assert ValidFilter(target="openai").check(ends_with_user) is None  # a warning for openai
    reject = ValidFilter(target="openai", error=["last_not_assistant"]).check(ends_with_user)
    assert reject is not None and reject.code == "last_not_assistant"
    assert ValidFilter(ignore=["no_assistant_message"]).check(rec(USER)) is None
    with pytest.raises(ValidationError, match="unknown finding code"):
        ValidFilter(error=["no_such_code"])
