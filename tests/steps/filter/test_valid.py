"""filter.valid: the validator's errors for a target drop a record; warnings never do."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from pydantic import ValidationError

from ftprep.demo import generate_messy_chats
from ftprep.errors import FtprepError
from ftprep.record import Record
from ftprep.steps.filter.valid import ValidFilter
from ftprep.validate.codes import CODES, WARNING
from ftprep.validate.content import TEXT_CODES, check_texts
from ftprep.validate.findings import Collector


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


CONTENT_ERRORS = [
    "refusal",
    "template_placeholder",
    "mojibake",
    "short_message",
    "duplicate_user_turn",
    "repetitive_content",
]


@pytest.mark.parametrize(
    ("target", "error"),
    [
        ("openai", []),
        ("axolotl", []),
        # content checks as errors: the fast path must then run their cheap tests too
        ("openai", CONTENT_ERRORS),
        ("openai", ["no_system_message", "last_not_assistant"]),  # role order as errors
    ],
)
def test_the_fast_path_decides_as_the_full_checks_do(
    tmp_path: Path, target: str, error: list[str]
) -> None:
    """Records of plain turns that certainly have no error skip the full checks; on messy data
    with every planted defect, each record must get the same verdict either way."""
    path = tmp_path / "messy.jsonl"
    generate_messy_chats(path, n=1500, seed=11)
    fast = ValidFilter(target=target, error=error)
    full = ValidFilter(target=target, error=error)
    full._plainly_valid = lambda record: False  # type: ignore[method-assign]
    took_fast = dropped = 0
    for line in path.read_bytes().splitlines():
        try:
            record = Record.from_dict(orjson.loads(line))
        except (orjson.JSONDecodeError, FtprepError):
            continue
        verdict = fast.check(record)
        assert verdict == full.check(record), line[:300]
        took_fast += fast._plainly_valid(record)
        dropped += verdict is not None
    assert took_fast > 500 and dropped > 0


def test_text_codes_lists_every_code_the_content_checks_report(tmp_path: Path) -> None:
    """The filter skips the content checks when none of TEXT_CODES is an error: the list must
    hold every code check_texts can report."""
    path = tmp_path / "messy.jsonl"
    generate_messy_chats(path, n=1500, seed=5)
    out = Collector(dict.fromkeys(CODES, WARNING), file="")
    for line in path.read_bytes().splitlines():
        try:
            row = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue
        messages = row.get("messages") if isinstance(row, dict) else None
        if isinstance(messages, list):
            texts = [
                (i, m.get("role"), m["content"])
                for i, m in enumerate(messages)
                if isinstance(m, dict) and isinstance(m.get("content"), str)
            ]
            check_texts(texts, out)
    found = set(out.counts)
    assert found <= TEXT_CODES
    assert len(found) >= 6, found  # the messy data plants most of them
