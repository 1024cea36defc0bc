"""Parsing what small models return, and asking again when it cannot be used."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, Field

from ftprep.llm import LLMConfig, ReplyError, ask, build_client, parse_json
from ftprep.llm.faults import FaultServer


class Score(BaseModel):
    score: int = Field(ge=1, le=5)
    reason: str


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ('{"score": 4, "reason": "ok"}', {"score": 4, "reason": "ok"}),
        ('```json\n{"score": 4, "reason": "ok"}\n```', {"score": 4, "reason": "ok"}),
        (
            'Sure! Here it is:\n```\n{"score": 2, "reason": "x"}\n```\nHope it helps.',
            {"score": 2, "reason": "x"},
        ),
        (
            'The rating is {"score": 3, "reason": "fine"} as asked. {"other": 1}',
            {"score": 3, "reason": "fine"},
        ),
        ("{'score': 5, 'reason': 'single quotes'}", {"score": 5, "reason": "single quotes"}),
        ('{"score": 1, "reason": "trailing",}', {"score": 1, "reason": "trailing"}),
        ("{'ok': True, 'none': None, 'n': [1, 2,]}", {"ok": True, "none": None, "n": [1, 2]}),
        (
            '{"score": 4, "reason": "cut off in the mid',
            {"score": 4, "reason": "cut off in the mid"},
        ),
        (
            '{"score": 4, "reason": "a", "extra": [1, 2',
            {"score": 4, "reason": "a", "extra": [1, 2]},
        ),
        ('{"score": 4, "reason":', {"score": 4}),
        (
            '```json\n{"score": 3, "reason": "no closing fence"',
            {"score": 3, "reason": "no closing fence"},
        ),
        ('[{"a": 1}, {"b": "two"}]', [{"a": 1}, {"b": "two"}]),
        (
            '{ "score": 2, "reason": "raw\nnewline, then cut',
            {"score": 2, "reason": "raw\nnewline, then cut"},
        ),
        (
            "{'reason': 'it is true, not null', 'ok': true,}",
            {"reason": "it is true, not null", "ok": True},
        ),
        (
            '{"text": "braces } and \\" quotes { inside"}',
            {"text": 'braces } and " quotes { inside'},
        ),
    ],
)
def test_parse_json_survives_what_models_write(reply: str, expected: Any) -> None:
    assert parse_json(reply) == expected


@pytest.mark.parametrize("reply", ["", "   ", "I cannot rate this.", "score: 4", "{{{{", "<json>"])
def test_parse_json_refuses_what_holds_no_json(reply: str) -> None:
    with pytest.raises(ValueError):
        parse_json(reply)


@given(st.text(max_size=300))
@settings(max_examples=400, deadline=None)
def test_parse_json_raises_only_value_error(text: str) -> None:
    try:
        value = parse_json(text)
    except ValueError:
        return
    json.dumps(value)  # whatever comes back is plain JSON data


def scripted(replies: list[str]) -> FaultServer:
    queue = list(replies)
    return FaultServer(reply=lambda body: queue.pop(0) if queue else "{}")


def test_ask_reasks_with_the_reason_then_validates() -> None:
    with scripted(
        ["I think it is good.", "{'score': 9, 'reason': 'x'}", '{"score": 4, "reason": "clear"}']
    ) as server:
        client = build_client(
            LLMConfig.model_validate({"base_url": server.url, "model": "m", "cache": False})
        )
        value, _ = client.run(ask(client, [{"role": "user", "content": "rate"}], Score))
    assert value == Score(score=4, reason="clear")
    assert len(server.bodies) == 3
    last = server.bodies[-1]["messages"]
    assert last[-2] == {"role": "assistant", "content": "{'score': 9, 'reason': 'x'}"}
    assert "less than or equal to 5" in last[-1]["content"]
    assert server.bodies[0]["response_format"]["json_schema"]["name"] == "Score"


def test_ask_gives_up_with_the_raw_reply_and_reason() -> None:
    with scripted(["nope", "still nope", "no JSON here"]) as server:
        client = build_client(
            LLMConfig.model_validate({"base_url": server.url, "model": "m", "cache": False})
        )
        with pytest.raises(ReplyError) as info:
            client.run(ask(client, [{"role": "user", "content": "rate"}], Score, reasks=2))
    assert info.value.raw == "no JSON here" and info.value.attempts == 3
    assert "no JSON" in info.value.reason
