"""``llm.generate`` and ``ftprep generate`` against a scripted writer: diversity draws, checks,
near-duplicate rejection against the seeds and each other, the synthetic share."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from ftprep.cli import cli
from ftprep.llm.faults import FaultServer
from ftprep.steps import get_step

pytest.importorskip("httpx")


def writer(body: dict[str, Any]) -> str:
    """A new example per topic; topic "copy" repeats the seed, "broken" answers no JSON."""
    system = body["messages"][0]["content"]
    topic = re.search(r"Its topic: ([^.]+)\.", system)
    name = topic.group(1) if topic else "none"
    if name == "broken":
        return "Sorry, I can't."
    if name == "copy":
        seed = body["messages"][1]["content"].split("USER: ", 1)[1].split("\n", 1)[0]
        return json.dumps({"user": seed, "assistant": "Refunds take 5 days."})
    k = re.search(r"example number (\d+)", body["messages"][1]["content"])
    return json.dumps(
        {"user": f"How do I {name} order {k.group(1) if k else 0} for my account today?",
         "assistant": f"To {name} an order, open Orders and choose {name}. It takes a minute."}
    )  # fmt: skip


SEEDS = [
    {"id": f"s{i}", "messages": [
        {"role": "system", "content": "You are Acme's support agent."},
        {"role": "user", "content": f"When will refund number {i} for my broken kettle arrive at my bank?"},
        {"role": "assistant", "content": "Refunds take 5 days."},
    ]}
    for i in range(3)
]  # fmt: skip


def test_generate_command_end_to_end(tmp_path: Path) -> None:
    src = tmp_path / "seeds.jsonl"
    src.write_bytes(b"".join(orjson.dumps(s) + b"\n" for s in SEEDS))
    with FaultServer(reply=writer) as server:
        result = CliRunner().invoke(
            cli,
            ["generate", str(src), str(tmp_path / "out.jsonl"), "--task", "Acme support chats.",
             "--n", "12", "--topics", "cancel,track,copy,broken", "--base-url", server.url,
             "--model", "w", "--cache", str(tmp_path / "c.sqlite"), "--no-progress"],
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    out = [orjson.loads(x) for x in (tmp_path / "out.jsonl").read_bytes().splitlines()]
    rejects = [orjson.loads(x) for x in (tmp_path / "out.rejects.jsonl").read_bytes().splitlines()]
    assert [r["id"] for r in out if not r.get("metadata", {}).get("synthetic")] == [
        "s0",
        "s1",
        "s2",
    ]
    new = [r for r in out if r.get("metadata", {}).get("synthetic")]
    assert new and all(r["metadata"]["parent_id"] in {"s0", "s1", "s2"} for r in new)
    assert all(r["messages"][0]["content"] == "You are Acme's support agent." for r in new)
    topics = {r["metadata"]["augment"]["topic"] for r in new}
    assert topics <= {"cancel", "track"}
    codes = {r["code"] for r in rejects}
    assert "llm_unusable_reply" in codes  # "broken"
    assert codes & {"duplicate", "near_duplicate"}  # "copy" repeats its seed, cancel/track repeat
    assert len(out) + len(rejects) == 3 + 12
    assert (
        "synthetic share:" in result.output
        and "per seed make the data 80% synthetic" in result.output
    )


def test_parameters() -> None:
    with pytest.raises(ValidationError):
        get_step("llm.generate")()  # a task is needed
    with pytest.raises(ValidationError, match="max_share"):
        get_step("llm.generate")(task="t", max_share=1.0)  # never all synthetic
    step = get_step("llm.generate")(task="t", per_seed=50, max_share=0.9)
    assert step.params.count() == 9  # type: ignore[attr-defined]
