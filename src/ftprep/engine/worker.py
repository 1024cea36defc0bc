"""What a worker does with one shard: read or load its records, run a segment of steps, write.

A *segment* is the run of per-record steps between two global steps. For each shard a worker

1. takes its records: parsed from the raw input rows (segment 0) or loaded from the previous
   segment's shard file;
2. drops the records the previous global step decided against;
3. runs the segment's steps, step after step over the shard;
4. computes the signatures of the next global step, if the segment ends in one;
5. writes its files: the kept records (or, for the last segment, the rendered output rows), the
   rejects as JSON lines, and last the shard's stats, which marks the shard as done.

Everything a shard's files hold depends only on the recipe and the shard's input, never on the number
of workers, so any worker count gives byte-identical output.
"""

from __future__ import annotations

import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from ftprep.engine.files import read_pickle, write_atomic, write_json, write_pickle
from ftprep.engine.shards import Lines
from ftprep.formats import Format, Losses, Unconvertible
from ftprep.io import RawRow
from ftprep.io.jsonencode import dumps_bytes
from ftprep.reading import Rejected, Source, parse_row
from ftprep.record import Provenance, Record
from ftprep.steps import FilterStep, GlobalStep, LLMStep, Reject, Step, TransformStep

READ_STEP = "read"


class StepFailure(Exception):
    """A step raised on a record and the recipe says ``on_error: fail``."""


class Position(NamedTuple):
    """Where a record is in the run: its shard, its index there, and a label for people."""

    shard: int
    item: int
    where: str


@dataclass
class Segment:
    steps: list[tuple[str, Step]]
    #: the global step whose decisions this segment applies first
    after: tuple[str, GlobalStep] | None = None
    #: the global step whose signatures this segment computes last
    gate: tuple[str, GlobalStep] | None = None


@dataclass
class OutputTarget:
    path: Path
    format: Format
    container: str


@dataclass
class Pipeline:
    """Everything a worker needs, built once per process."""

    sources: list[Source]
    segments: list[Segment]
    outputs: list[OutputTarget]
    work: Path
    on_error: str = "reject"

    @classmethod
    def split(cls, steps: list[tuple[str, Step]]) -> list[Segment]:
        segments = [Segment([])]
        for name, step in steps:
            if isinstance(step, GlobalStep):
                segments[-1].gate = (name, step)
                segments.append(Segment([], after=(name, step)))
            else:
                segments[-1].steps.append((name, step))
        return segments

    @property
    def tail_render(self) -> bool:
        """True when nothing but writing follows the last global step: the segment before it
        renders the outputs, and the last one only drops and joins (no records reloaded)."""
        return len(self.segments) > 1 and not self.segments[-1].steps

    def shard_file(self, segment: int, shard: int, suffix: str) -> Path:
        return self.work / f"s{segment:02d}" / f"{shard:06d}.{suffix}"


@dataclass
class StepCount:
    seen: int = 0
    kept: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    counts: Counter[str] = field(default_factory=Counter)

    def to_dict(self) -> dict[str, Any]:
        return {
            "in": self.seen,
            "kept": self.kept,
            "rejected": dict(sorted(self.rejected.items())),
            "seconds": round(self.seconds, 4),
            "counts": dict(sorted(self.counts.items())),
        }


@dataclass
class ShardTask:
    segment: int
    shard: int
    #: raw rows of input ``source`` (segment 0 only)
    rows: Lines | list[RawRow] | None = None
    source: int = 0
    #: index in the shard -> why the previous global step drops it
    drops: dict[int, Reject] | None = None


class ShardRun:
    """Runs one segment over one shard and writes its files."""

    def __init__(self, pipeline: Pipeline, task: ShardTask) -> None:
        self.pipeline = pipeline
        self.task = task
        self.segment = pipeline.segments[task.segment]
        self.rejects: list[bytes] = []
        self.steps: dict[str, StepCount] = {}
        self.read = 0

    def run(self) -> dict[str, Any]:
        if (
            self.task.segment > 0
            and self.pipeline.tail_render
            and self.task.segment == len(self.pipeline.segments) - 1
        ):
            return self._finish_rendered()
        records = self._take()
        records = self._apply_drops(records)
        for name, step in self.segment.steps:
            records = self._run_step(name, step, records)
        return self._write(records)

    def _take(self) -> list[Record]:
        task, p = self.task, self.pipeline
        if task.rows is None:
            return load_records(p.shard_file(task.segment - 1, task.shard, "jsonl"))
        source = p.sources[task.source]
        out: list[Record] = []
        rows = task.rows.rows() if isinstance(task.rows, Lines) else task.rows
        for row in rows:
            for item in parse_row(source.format, row, source.name):
                self.read += 1
                if isinstance(item, Rejected):
                    self._reject_read(item)
                else:
                    out.append(item)
        count = self.steps.setdefault(READ_STEP, StepCount())
        count.seen, count.kept = self.read, len(out)
        return out

    def _apply_drops(self, records: list[Record]) -> list[Record]:
        if self.segment.after is None:
            return records
        name, _ = self.segment.after
        count = self.steps.setdefault(name, StepCount())
        drops = self.task.drops or {}
        kept = []
        for i, record in enumerate(records):
            reject = drops.get(i)
            if reject is None:
                kept.append(record)
            else:
                self._reject(name, reject, record, count)
        count.seen += len(records)
        count.kept += len(kept)
        return kept

    def _run_step(self, name: str, step: Step, records: list[Record]) -> list[Record]:
        count = self.steps.setdefault(name, StepCount())
        started = time.perf_counter()
        step.ensure_setup()
        if isinstance(step, LLMStep):
            outcomes: list[Any] = step.run_batch(records)
        else:
            outcomes = [self._one(step, record) for record in records]
        kept = []
        for record, outcome in zip(records, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                outcome = self._crash(name, record, outcome)
            if isinstance(outcome, Reject):
                self._reject(name, outcome, record, count)
            else:
                kept.append(outcome)
        count.seen += len(records)
        count.kept += len(kept)
        count.seconds += time.perf_counter() - started
        count.counts.update(step.take_stats().counts)
        return kept

    @staticmethod
    def _one(step: Step, record: Record) -> Record | Reject | BaseException:
        try:
            if isinstance(step, TransformStep):
                return step.transform(record)
            if isinstance(step, FilterStep):
                return step.check(record) or record
            raise TypeError(f"cannot run a {step.kind} step per record")
        except Exception as exc:
            return exc

    def _crash(self, name: str, record: Record, exc: BaseException) -> Reject:
        summary = f"{type(exc).__name__}: {exc}"
        if self.pipeline.on_error == "fail":
            where = f" at {record.source}" if record.source else ""
            tb = "".join(traceback.format_exception(exc, limit=-3))
            raise StepFailure(f"step {name} failed{where}: {summary}\n{tb}") from None
        return Reject("step_error", value=summary[:500])

    def _reject(self, name: str, reject: Reject, record: Record, count: StepCount) -> None:
        src = record.source
        self._add_reject(
            name, reject, src.file if src else None, src.line if src else None, record.to_dict()
        )
        count.rejected[reject.code] += 1

    def _reject_read(self, item: Rejected) -> None:
        count = self.steps.setdefault(READ_STEP, StepCount())
        count.rejected[item.code] += 1
        reject = Reject(item.code, value=item.field, detail=item.reason)
        self._add_reject(READ_STEP, reject, item.file, item.line, item.record)

    def _add_reject(
        self, step: str, reject: Reject, file: str | None, line: int | None, record: Any
    ) -> None:
        """One line of the rejects file: the step, why, where from, and the whole record."""
        entry = {
            "step": step,
            "code": reject.code,
            "value": reject.value,
            "detail": reject.detail,
            "file": file,
            "line": line,
            "record": record,
        }
        self.rejects.append(_dump(entry))

    def _write(self, records: list[Record]) -> dict[str, Any]:
        p, task = self.pipeline, self.task
        last = task.segment == len(p.segments) - 1
        tail = p.tail_render and task.segment == len(p.segments) - 2
        outputs: list[dict[str, Any]] = []
        if last or tail:
            records, rendered = self._render(records, per_record=tail)
            if tail:
                write_pickle(p.shard_file(task.segment, task.shard, "rendered"), rendered)
            else:
                self._write_outputs(rendered, outputs)
        else:
            write_atomic(p.shard_file(task.segment, task.shard, "jsonl"), dump_records(records))
        if self.segment.gate is not None:
            _, step = self.segment.gate
            step.ensure_setup()
            sigs = [
                (Position(task.shard, i, str(r.source) if r.source else f"#{i}"), step.signature(r))
                for i, r in enumerate(records)
            ]
            write_pickle(p.shard_file(task.segment, task.shard, "sig"), sigs)
        return self._commit(len(records), outputs)

    def _commit(self, kept: int, outputs: list[dict[str, Any]]) -> dict[str, Any]:
        p, task = self.pipeline, self.task
        write_atomic(p.shard_file(task.segment, task.shard, "rej"), b"".join(self.rejects))
        meta = {
            "segment": task.segment,
            "shard": task.shard,
            "read": self.read,
            "kept": kept,
            "rejected": len(self.rejects),
            "steps": {name: c.to_dict() for name, c in self.steps.items()},
            "outputs": outputs,
        }
        write_json(p.shard_file(task.segment, task.shard, "json"), meta)
        return meta

    def _render(
        self, records: list[Record], *, per_record: bool
    ) -> tuple[list[Record], list[Rendered]]:
        """Every record rendered for every output; one that an output cannot hold is rejected.

        Each record keeps what its outputs could not hold; ``per_record`` also keeps its canonical
        line, for the rejects of a global step that decides after rendering."""
        p = self.pipeline
        scratch = [Losses() for _ in p.outputs]
        kept, rendered = [], []
        count = StepCount()
        for record in records:
            try:
                rows = tuple(
                    _dump(o.format.render(record, scratch[k])) for k, o in enumerate(p.outputs)
                )
            except (Unconvertible, ValueError) as exc:
                self._reject("write", Reject("unconvertible", detail=str(exc)), record, count)
                rows = None
            losses = None
            if any(scratch):
                losses = tuple(dict(x) for x in scratch)
                for x in scratch:
                    x.clear()
            if rows is None:
                continue
            src = record.source
            rendered.append(
                Rendered(
                    src.file if src else None,
                    src.line if src else None,
                    _dump(record.to_dict()) if per_record else b"",
                    rows,
                    losses,
                )
            )
            kept.append(record)
        if count.rejected:
            count.seen, count.kept = len(records), len(kept)
            self.steps["write"] = count
        return kept, rendered

    def _write_outputs(self, rendered: list[Rendered], outputs: list[dict[str, Any]]) -> None:
        p, task = self.pipeline, self.task
        for k in range(len(p.outputs)):
            data = b"".join(r.rows[k] for r in rendered)
            write_atomic(p.shard_file(task.segment, task.shard, f"out{k}"), data)
            losses: Counter[str] = Counter()
            for r in rendered:
                if r.losses:
                    losses.update(r.losses[k])
            outputs.append({"rows": len(rendered), "losses": dict(sorted(losses.items()))})

    def _finish_rendered(self) -> dict[str, Any]:
        """The last segment when the previous one rendered already: drop, then write."""
        p, task = self.pipeline, self.task
        rendered: list[Rendered] = read_pickle(
            p.shard_file(task.segment - 1, task.shard, "rendered")
        )
        name, _ = self.segment.after  # type: ignore[misc]
        count = self.steps.setdefault(name, StepCount())
        drops = task.drops or {}
        kept = []
        for i, r in enumerate(rendered):
            reject = drops.get(i)
            if reject is None:
                kept.append(r)
                continue
            count.rejected[reject.code] += 1
            self._add_reject(name, reject, r.file, r.line, orjson.loads(r.canonical))
        count.seen, count.kept = len(rendered), len(kept)
        outputs: list[dict[str, Any]] = []
        self._write_outputs(kept, outputs)
        return self._commit(len(kept), outputs)


class Rendered(NamedTuple):
    """A record ready for the outputs: where it came from, its canonical line, its output rows."""

    file: str | None
    line: int | None
    canonical: bytes
    rows: tuple[bytes, ...]
    losses: tuple[dict[str, int], ...] | None


def dump_records(records: list[Record]) -> bytes:
    """Records as JSON lines that :func:`load_records` reads back with provenance and hints."""
    out = []
    for r in records:
        src = r.source
        row = [r.to_dict(), src.file if src else None, src.line if src else None, r.hints or None]
        out.append(_dump(row))
    return b"".join(out)


def load_records(path: Path) -> list[Record]:
    records = []
    with open(path, "rb") as file:
        for line in file:
            row, name, number, hints = orjson.loads(line)
            record = Record.from_dict(row, None if name is None else Provenance(name, number))
            if hints:
                record.hints = hints
            records.append(record)
    return records


def _dump(value: Any) -> bytes:
    try:
        return dumps_bytes(value, newline=True)
    except ValueError:
        return dumps_bytes(_jsonable(value), newline=True)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return repr(value)


#: the pipeline of this worker process, set by :func:`init_worker`
_PIPELINE: Pipeline | None = None


def init_worker(pipeline: Pipeline) -> None:
    global _PIPELINE
    _PIPELINE = pipeline


def run_shard(task: ShardTask) -> dict[str, Any]:
    assert _PIPELINE is not None, "init_worker was not called"
    return ShardRun(_PIPELINE, task).run()
