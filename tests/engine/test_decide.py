"""A global step's decision, made while its segment runs when the run has worker processes."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ftprep.engine import decide as decide_module
from ftprep.engine.worker import StepFailure
from ftprep.record import Record
from ftprep.steps.dedup.exact import ExactDeduplicator

from .test_foresight import _chats
from .test_run import recipe_data, run_in

USERS = [f"question {i % 11} about order A{i % 11}" for i in range(80)]


def _data(tmp_path: Path, **options: Any) -> dict[str, Any]:
    data = recipe_data(_chats(tmp_path, USERS), chunk_size=9, **options)
    data["steps"] = ["dedup.exact", {"pii.redact": {"mode": "redact"}}]
    return data


def test_the_decision_is_fed_each_shard_as_it_is_done_and_agrees(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _data(tmp_path)
    one, _ = run_in(tmp_path / "one", data, workers=1)
    fed: list[list[int]] = []
    real = decide_module.decide

    def spy(pipeline: Any, segment: int, shards: Iterable[int]) -> None:
        mine: list[int] = []
        fed.append(mine)

        def given() -> Iterator[int]:
            for shard in shards:
                mine.append(shard)
                yield shard

        real(pipeline, segment, given())

    monkeypatch.setattr(decide_module, "decide", spy)
    two, _ = run_in(tmp_path / "two", data, workers=2)
    assert fed == [list(range(9))]  # in a thread, from the shards as they came, in order
    assert (two.written, two.rejected) == (one.written, one.rejected) == (11, 69)
    for name in ("train.jsonl", "rejects.jsonl"):
        assert (tmp_path / "two" / "out" / name).read_bytes() == (
            tmp_path / "one" / "out" / name
        ).read_bytes()


def test_a_failing_decision_fails_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: ExactDeduplicator, shards: Any) -> Any:
        for _ in shards:
            pass
        raise RuntimeError("no decision today")
        yield  # a generator, as the real one

    monkeypatch.setattr(ExactDeduplicator, "decide_shards", broken)
    with pytest.raises(RuntimeError, match="no decision today"):
        run_in(tmp_path, _data(tmp_path), workers=2)
    assert not (tmp_path / "out" / "train.jsonl").exists()


def test_a_run_that_fails_mid_segment_stops_its_decision(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(self: object, record: Record) -> bool:  # in the gate's segment, shards in
        if record.source is not None and record.source.line > 50:
            raise ValueError("boom")
        return True

    monkeypatch.setattr("ftprep.steps.filter.length.LengthFilter.keep", boom)
    data = _data(tmp_path, on_error="fail")
    data["steps"] = ["filter.length", *data["steps"]]
    with pytest.raises(StepFailure, match="boom"):
        run_in(tmp_path, data, workers=2)
    assert not any(t.name == "decide" for t in threading.enumerate())
    assert not list((tmp_path / "out" / ".ftprep-work").rglob("decisions.pkl"))
