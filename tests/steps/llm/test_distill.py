"""``llm.distill`` and ``ftprep distill`` against a scripted teacher on the fault server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner

from ftprep.cli import cli
from ftprep.llm.faults import FaultServer
from ftprep.record import Record
from ftprep.steps.llm.distill import TeacherDistiller

pytest.importorskip("httpx")


def teacher(body: dict[str, Any]) -> str:
    """Answers "teacher: <last user turn>"; a judge request (it has a system prompt naming the
    rubric) gets 5s for replies containing "v2", else 2s."""
    messages = body["messages"]
    if messages and messages[0]["role"] == "system" and "Criteria:" in messages[0]["content"]:
        score = 5 if "teacher v2" in messages[-1]["content"] else 2
        names = ("correctness", "relevance", "completeness", "grammar", "tone", "formatting")
        return json.dumps({c: {"score": score, "reason": "r"} for c in names})
    last = [m["content"] for m in messages if m["role"] == "user"][-1]
    if "empty" in last:
        return " "
    version = f" v{(body.get('temperature', 0) and 2) or 1}"
    return f"teacher{version}: {last}"


def llm(server: FaultServer, **extra: Any) -> dict[str, Any]:
    return {
        "provider": "openai",
        "base_url": server.url,
        "model": "teacher",
        "cache": False,
        "backoff": 0.01,
        **extra,
    }


def record(*turns: tuple[str, str], rid: str = "a") -> Record:
    return Record.from_dict({"id": rid, "messages": [{"role": r, "content": c} for r, c in turns]})


def test_last_turn_is_rewritten_and_the_original_kept() -> None:
    with FaultServer(reply=teacher) as server:
        step = TeacherDistiller(llm=llm(server))
        step.ensure_setup()
        (out,) = step.run_batch(
            [record(("system", "Be brief."), ("user", "Hi?"), ("assistant", "old reply"))]
        )
    assert isinstance(out, Record)
    assert out.messages[-1].content == "teacher v1: Hi?"
    assert out.metadata["distill"] == {"model": "teacher", "turns": [2], "original": ["old reply"]}
    assert server.bodies[0]["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hi?"},
    ]


def test_all_turns_each_from_the_original_context_and_prompt_only_records() -> None:
    with FaultServer(reply=teacher) as server:
        step = TeacherDistiller(llm=llm(server), turns="all", system_prompt="You are a tutor.")
        step.ensure_setup()
        multi = record(
            ("system", "x"), ("user", "A?"), ("assistant", "a"), ("user", "B?"), ("assistant", "b")
        )
        prompt_only = record(("user", "C?"), rid="b")
        first, second = step.run_batch([multi, prompt_only])
    assert isinstance(first, Record) and isinstance(second, Record)
    assert [m.content for m in first.messages] == [
        "x",
        "A?",
        "teacher v1: A?",
        "B?",
        "teacher v1: B?",
    ]
    second_ask = next(b for b in server.bodies if b["messages"][-1]["content"] == "B?")
    assert second_ask["messages"][0] == {"role": "system", "content": "You are a tutor."}
    assert second_ask["messages"][2] == {"role": "assistant", "content": "a"}  # the original
    assert second.messages[-1].content == "teacher v1: C?"
    assert second.metadata["distill"]["original"] == [None]


def test_best_of_n_by_the_judge_and_empty_replies_rejected(tmp_path: Path) -> None:
    rows = [
        {
            "id": "a",
            "messages": [{"role": "user", "content": "Hi?"}, {"role": "assistant", "content": "x"}],
        },
        {"id": "b", "messages": [{"role": "user", "content": "empty please"}]},
    ]
    src = tmp_path / "in.jsonl"
    src.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    with FaultServer(reply=teacher) as server:
        result = CliRunner().invoke(
            cli,
            [
                "distill",
                str(src),
                str(tmp_path / "out.jsonl"),
                "--base-url",
                server.url,
                "--model",
                "teacher",
                "--cache",
                "off",
                "--samples",
                "3",
                "--select",
                "judge",
                "--temperature",
                "0.9",
                "--no-progress",
            ],
        )
    assert result.exit_code == 0, result.output
    (kept,) = [orjson.loads(x) for x in (tmp_path / "out.jsonl").read_bytes().splitlines()]
    assert kept["messages"][-1]["content"] == "teacher v2: Hi?"
    assert kept["metadata"]["distill"]["scores"] == [5.0]
    (reject,) = [
        orjson.loads(x) for x in (tmp_path / "out.rejects.jsonl").read_bytes().splitlines()
    ]
    assert reject["code"] == "teacher_empty" and reject["record"]["id"] == "b"
    assert "llm: " in result.output


def test_tool_turns_are_left_alone() -> None:
    row = {
        "id": "t",
        "messages": [
            {"role": "user", "content": "Weather?"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"id": "c1", "type": "function", "function": {"name": "w", "arguments": "{}"}}
                ],
            },
        ],
    }
    with FaultServer(reply=teacher) as server:
        step = TeacherDistiller(llm=llm(server))
        step.ensure_setup()
        (out,) = step.run_batch([Record.from_dict(row)])
    assert isinstance(out, Record) and out.to_dict() == Record.from_dict(row).to_dict()
    assert server.requests == 0
