"""A worker's foresight of a keep-first decision: what it may skip, and that the decision agrees."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import orjson
import pytest

from ftprep.engine import RunLayout
from ftprep.engine import foresight as fs
from ftprep.engine.foresight import DROP, KEEP, UNKNOWN, Foresight, check_foresight
from ftprep.record import Record
from ftprep.steps import STEPS, TransformStep
from ftprep.steps.dedup.exact import ExactDeduplicator

from .test_run import recipe_data, run_in


def test_a_signature_seen_earlier_is_dropped_and_a_new_one_kept_only_when_all_is_known() -> None:
    sight = Foresight()
    assert sight.foresee(0, ["a", "b", "a", None, None]) == [KEEP, KEEP, DROP, KEEP, KEEP]
    # shard 2 before shard 1: a repeat is still surely dropped, a new signature is unknown
    assert sight.foresee(2, ["b", "c", "c", "d"]) == [DROP, UNKNOWN, DROP, UNKNOWN]
    assert sight.complete_below == 1
    # shard 1 now: "c" was seen only in a later shard, so here it is the first
    assert sight.foresee(1, ["c", "e", "e"]) == [KEEP, KEEP, DROP]
    assert sight.complete_below == 3
    assert sight.firsts["c"] == 1
    assert sight.foresee(3, ["c", "d", "f"]) == [DROP, DROP, KEEP]


def test_catching_up_reads_the_shards_others_signed() -> None:
    others = {0: ["x", "y"], 2: ["z"]}  # shard 1 is not signed yet
    sight = Foresight()
    sight.catch_up(3, others.get)
    assert sight.known == {0, 2} and sight.complete_below == 1
    assert sight.foresee(3, ["x", "z", "w"]) == [DROP, DROP, UNKNOWN]
    others[1] = ["w"]
    sight.catch_up(4, others.get)
    assert sight.complete_below == 4
    # "w" came in shard 1, before shard 3 where this process first saw it
    assert sight.foresee(4, ["w", "v"]) == [DROP, KEEP]


def test_fates_left_unknown_are_settled_once_the_earlier_shards_are_read() -> None:
    others: dict[int, list[str]] = {}  # shard 0 is still at work on another process
    sight = Foresight()
    signatures = ["x", "y", "y", "z"]
    fates = sight.foresee(1, signatures)
    assert fates == [UNKNOWN, UNKNOWN, DROP, UNKNOWN]
    assert sight.refine(1, signatures, fates) == fates  # nothing learnt meanwhile
    others[0] = ["z", "w"]
    sight.catch_up(1, others.get)
    assert sight.refine(1, signatures, fates) == [KEEP, KEEP, DROP, DROP]
    # past its limit a foresight settles only drops
    small = Foresight(limit=2)
    fates = small.foresee(1, ["x", "y", "v"])
    assert fates == [UNKNOWN, UNKNOWN, UNKNOWN] and small.full
    small.catch_up(1, others.get)
    assert small.refine(1, ["x", "y", "v"], fates) == [UNKNOWN, UNKNOWN, UNKNOWN]
    small = Foresight(limit=3)
    fates = small.foresee(1, ["z", "y"])
    small.catch_up(1, {0: ["z", "w", "q"]}.get)
    assert small.full and small.refine(1, ["z", "y"], fates) == [DROP, UNKNOWN]


def test_past_its_limit_a_foresight_drops_only_what_it_remembers() -> None:
    sight = Foresight(limit=3)
    assert sight.foresee(0, ["a", "b", "c", "d", "a", "d"]) == [
        KEEP,
        KEEP,
        KEEP,
        UNKNOWN,
        DROP,
        UNKNOWN,
    ]
    assert sight.full and len(sight.firsts) == 3
    assert sight.foresee(1, ["e", "b"]) == [UNKNOWN, DROP]


def test_a_decision_that_disagrees_with_the_foresight_fails_loudly() -> None:
    check_foresight("dedup.exact", 4, dropped=[1, 3], kept=[0, 2], drops=[1, 3])
    with pytest.raises(RuntimeError, match=r"shard 4 disagrees .*kept \[3\]"):
        check_foresight("dedup.exact", 4, dropped=[1, 3], kept=[0, 2], drops=[1])
    with pytest.raises(RuntimeError, match=r"dropped \[2\]"):
        check_foresight("dedup.exact", 4, dropped=[1], kept=[0, 2], drops=[1, 2])


def test_only_keep_first_decisions_are_foreseen() -> None:
    assert ExactDeduplicator(ExactDeduplicator.Params()).keeps_first
    assert not ExactDeduplicator(ExactDeduplicator.Params(keep="longest")).keeps_first
    for other in ("dedup.minhash", "split", "balance"):  # decisions of their own
        step = STEPS[other]
        assert not step(step.Params()).keeps_first, other


class CallCountingStep(TransformStep):
    """Count the records it is called on in this process.

    Reads: nothing. Writes: nothing. Drops: nothing.
    """

    id: ClassVar[str] = "test.calls"
    calls: ClassVar[list[str]] = []

    def transform(self, record: Record) -> Record:
        CallCountingStep.calls.append(record.messages[0].text)
        return record


def _chats(tmp_path: Path, users: list[str]) -> Path:
    src = tmp_path / "in.jsonl"
    rows = [
        {
            "messages": [
                {"role": "user", "content": u},
                {"role": "assistant", "content": f"Sure, here is help with: {u}."},
            ]
        }
        for u in users
    ]
    src.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    return src


def test_steps_after_the_decision_skip_the_records_surely_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(STEPS, CallCountingStep.id, CallCountingStep)
    monkeypatch.setattr(CallCountingStep, "calls", [])
    users = [
        f"question {i % 7} about order A{i % 7}, mail me at u{i % 7}@example.com" for i in range(40)
    ]
    data = recipe_data(_chats(tmp_path, users), chunk_size=6)
    data["steps"] = ["dedup.exact", "test.calls", {"pii.redact": {"mode": "redact"}}]
    result, layout = run_in(tmp_path / "one", data, workers=1)
    # one worker signs every shard in order: each duplicate is foreseen, only the 7 kept run
    assert sorted(CallCountingStep.calls) == sorted(set(users))
    assert (result.read, result.written, result.rejected) == (40, 7, 33)
    rejects = [orjson.loads(x) for x in layout.rejects.read_bytes().splitlines()]
    assert {r["code"] for r in rejects} == {"duplicate"}
    # the rejects line is the record as dedup saw it, before the redaction that ran ahead
    assert all("@example.com" in r["record"]["messages"][0]["content"] for r in rejects)
    out = (tmp_path / "one" / "out" / "train.jsonl").read_bytes()
    assert b"[EMAIL]" in out and b"@example.com" not in out
    _, layout2 = run_in(tmp_path / "two", data, workers=2)
    assert (tmp_path / "two" / "out" / "train.jsonl").read_bytes() == out
    assert layout2.rejects.read_bytes() == layout.rejects.read_bytes()
    # without foresight: the same outputs, rejects and counts (those of the records surely kept
    # come summed per step, the others' per record)
    monkeypatch.setattr(ExactDeduplicator, "keeps_first", property(lambda self: False))
    _, layout3 = run_in(tmp_path / "blind", data, workers=2)
    assert (tmp_path / "blind" / "out" / "train.jsonl").read_bytes() == out
    assert layout3.rejects.read_bytes() == layout.rejects.read_bytes()
    # a budget of 3 signatures: sure records then unsure ones in one shard, counted apart
    monkeypatch.undo()
    monkeypatch.setitem(STEPS, CallCountingStep.id, CallCountingStep)
    monkeypatch.setattr(fs, "BUDGET", 3)
    _, layout4 = run_in(tmp_path / "small", data, workers=1)
    assert (tmp_path / "small" / "out" / "train.jsonl").read_bytes() == out
    stats = [_counts(x) for x in (layout, layout2, layout3, layout4)]
    assert stats[0] == stats[1] == stats[2] == stats[3]
    assert stats[0]["pii.redact"]["counts"]["pii.email"] == 14  # in the question and the reply


def _counts(layout: RunLayout) -> dict[str, dict[str, object]]:
    steps = orjson.loads(layout.stats.read_bytes())["steps"]
    return {s["name"]: {k: v for k, v in s.items() if k != "seconds"} for s in steps}


def test_a_run_stops_when_the_decision_disagrees_with_the_foresight(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = recipe_data(_chats(tmp_path, ["alpha beta", "gamma delta", "alpha beta"]))
    data["steps"] = ["dedup.exact", {"pii.redact": {"mode": "redact"}}]
    real = Foresight.foresee

    def wrong(self: Foresight, shard: int, signatures: list[object]) -> list[int]:
        return [DROP if v == KEEP else v for v in real(self, shard, signatures)]

    monkeypatch.setattr(fs.Foresight, "foresee", wrong)
    with pytest.raises(RuntimeError, match="disagrees with what its workers foresaw"):
        run_in(tmp_path, data, workers=1)


def test_the_workers_of_a_run_share_one_memory_budget() -> None:
    try:
        fs.reset(4)
        assert fs.foresight("dedup.exact").limit == fs.BUDGET // 4
        assert fs.foresight("dedup.exact") is fs.foresight("dedup.exact")
        fs.reset(1)
        assert fs.foresight("dedup.exact").limit == fs.BUDGET  # a new run forgets
    finally:
        fs.reset()
