"""Stage 2 of a global step: its decision over every shard's signatures, in input order.

With worker processes the run's own process only waits for them while a segment runs, so it
makes the decision then, in a thread fed each shard as it is done (:class:`Deciding`), instead
of after the last shard while every worker waits.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from ftprep.engine.files import read_pickle, write_json, write_pickle
from ftprep.engine.plan import Pipeline
from ftprep.steps import Mark, Reject, Signed


def decide(pipeline: Pipeline, segment: int, shards: Iterable[int]) -> None:
    """The decision of the global step ending ``segment`` over the signatures of ``shards``
    (in input order), written to the segment's folder for the next segment."""
    _, step = pipeline.segments[segment].gate  # type: ignore[misc]

    def signed() -> Iterator[Signed]:
        for shard in shards:
            yield Signed(*read_pickle(pipeline.shard_file(segment, shard, "sig")))

    decisions: dict[int, dict[int, Reject | Mark]] = {}
    step.take_stats()
    for position, outcome in step.decide_shards(signed()):
        decisions.setdefault(position.shard, {})[position.item] = outcome
    found = step.take_stats()
    folder = pipeline.work / f"s{segment:02d}"
    write_json(
        folder / "decided.json",
        {"counts": dict(found.counts), "warnings": found.warnings, "report": found.report},
    )
    write_pickle(folder / "decisions.pkl", decisions)


def load_drops(pipeline: Pipeline, segment: int) -> dict[int, dict[int, Any]]:
    drops: dict[int, dict[int, Any]] = read_pickle(
        pipeline.work / f"s{segment:02d}" / "decisions.pkl"
    )
    return drops


class _Aborted(Exception):
    pass


_ABORT = -1


class Deciding:
    """:func:`decide` in a thread, over the shards :meth:`add` gives it one by one, in order."""

    def __init__(self, pipeline: Pipeline, segment: int) -> None:
        self._shards: queue.SimpleQueue[int | None] = queue.SimpleQueue()
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, args=(pipeline, segment), name="decide", daemon=True
        )
        self._thread.start()

    def add(self, shard: int) -> None:
        self._shards.put(shard)

    def finish(self) -> None:
        """Wait for the decision (every shard was added); raise what it raised."""
        self._shards.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error

    def abort(self) -> None:
        """Stop without a decision (the run failed)."""
        self._shards.put(_ABORT)
        self._thread.join()

    def _run(self, pipeline: Pipeline, segment: int) -> None:
        try:
            decide(pipeline, segment, self._given())
        except _Aborted:
            pass
        except BaseException as exc:  # handed to finish()
            self._error = exc

    def _given(self) -> Iterator[int]:
        while (shard := self._shards.get()) is not None:
            if shard == _ABORT:
                raise _Aborted
            yield shard
