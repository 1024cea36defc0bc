"""filter.length: characters or tokens, per role, per message or in total."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from ftprep.record import Record
from ftprep.steps.filter.length import LengthFilter

CHAT = Record.from_dict(
    {
        "messages": [
            {"role": "system", "content": "You are a helpful assistant for Acme."},
            {"role": "user", "content": "ok"},
            {"role": "assistant", "content": "Your order #1234 shipped on Monday."},
            {"role": "user", "content": [{"type": "text", "text": "thanks, and the invoice?"}]},
            {"role": "assistant", "content": "Sent to your email."},
        ]
    }
)


def test_assistant_turns_by_default() -> None:
    assert LengthFilter(max=40).check(CHAT) is None
    reject = LengthFilter(max=30).check(CHAT)
    assert reject is not None and reject.code == "too_long" and reject.value == 35
    reject = LengthFilter(min=20).check(CHAT)
    assert reject is not None and reject.code == "too_short" and reject.value == 19


def test_roles_parts_and_total() -> None:
    reject = LengthFilter(roles=["user"], min=3).check(CHAT)
    assert reject is not None and (reject.code, reject.value) == ("too_short", 2)
    assert LengthFilter(roles=["user"], max=24).check(CHAT) is None  # the text part counts
    reject = LengthFilter(roles=["user", "assistant"], scope="total", max=70).check(CHAT)
    assert reject is not None and reject.value == 2 + 35 + 24 + 19
    assert LengthFilter(roles=["tool"], min=5).check(CHAT) is None  # nothing to measure: kept


def test_tokens_and_plain_text() -> None:
    text = Record(text="word " * 300)
    assert LengthFilter(roles=["text"], unit="tokens", max=1000).check(text) is None
    reject = LengthFilter(roles=["text"], unit="tokens", max=100).check(text)
    assert reject is not None and reject.code == "too_long" and 200 < reject.value < 600


def test_bad_parameters() -> None:
    with pytest.raises(ValidationError, match="less than min"):
        LengthFilter(min=10, max=5)
    with pytest.raises(ValidationError, match="Extra inputs"):
        LengthFilter(maximum=5)
    with pytest.raises(ValidationError):
        LengthFilter(unit="words")
