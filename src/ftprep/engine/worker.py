"""What a worker does with one shard: read or load its records, run a segment of steps, write.

A *segment* is the run of per-record steps between two global steps. For each shard a worker

1. takes its records: parsed from the raw input rows (segment 0) or loaded from the previous
   segment's shard file;
2. drops the records the previous global step decided against;
3. runs the segment's steps, step after step over the shard;
4. computes the signatures of the next global step, if the segment ends in one;
5. writes its files: the kept records (or, for the last segment, the rendered output rows), the
   rejects as JSON lines, and last the shard's stats, which marks the shard as done.

What a shard's outputs, rejects and counts hold depends only on the recipe and the shard's input,
never on the number of workers, so any worker count gives byte-identical output. (Only how much of
the work a tail render does ahead depends on which shards the same process signed before: see
:mod:`ftprep.engine.foresight`.)
"""

from __future__ import annotations

import time
import traceback
from collections import Counter
from collections.abc import Callable, Sequence
from itertools import accumulate
from pathlib import Path
from typing import Any

from ftprep.engine.files import link_atomic, read_pickle, write_atomic, write_json, write_pickle
from ftprep.engine.foresight import DROP, KEEP, UNKNOWN, check_foresight, foresight, reset
from ftprep.engine.plan import Pipeline, ShardTask, StepCount
from ftprep.engine.rows import (
    Ahead,
    Fate,
    NoOutput,
    Rendered,
    Staged,
    copies,
    dump,
    dump_records,
    entry,
    gate_rejects,
    keep_rows,
    load_records,
    reject_entry,
    resettled,
    stage,
    unconvertible,
    unplain_ahead,
)
from ftprep.engine.shards import LineRange
from ftprep.formats import Losses, Unconvertible
from ftprep.gcpause import fewer_collections
from ftprep.reading import Rejected, parse_row
from ftprep.record import Record
from ftprep.steps import FilterStep, LLMStep, Mark, Reject, Signed, Step, TransformStep
from ftprep.steps.base import Expansion, Wheres

READ_STEP = "read"
WRITE_STEP = "write"


class StepFailure(Exception):
    """A step raised on a record and the recipe says ``on_error: fail``."""


class ShardRun:
    """Runs one segment over one shard and writes its files."""

    def __init__(self, pipeline: Pipeline, task: ShardTask) -> None:
        self.pipeline = pipeline
        self.task = task
        self.segment = pipeline.segments[task.segment]
        self.rejects: list[bytes] = []
        self.steps: dict[str, StepCount] = {}
        self.read = 0
        self.added = 0

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
        rows = task.rows.load().rows() if isinstance(task.rows, LineRange) else task.rows
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
            outcome = drops.get(i)
            if outcome is None:
                kept.append(record)
            elif isinstance(outcome, Mark):
                record.metadata.update(outcome.metadata)
                count.counts["marked"] += 1
                kept.append(record)
                kept += copies(record, outcome.copies)
                count.added += outcome.copies
            else:
                self._reject(name, outcome, record, count)
        count.seen += len(records)
        count.kept += len(kept)
        self.added += count.added
        return kept

    def _run_step(self, name: str, step: Step, records: list[Record]) -> list[Record]:
        count = self.steps.setdefault(name, StepCount())
        started = time.perf_counter()
        step.ensure_setup()
        if isinstance(step, FilterStep):  # the common case, in one loop
            kept = self._filter(name, step, records, count)
        else:
            kept = self._transform(name, step, records, count)
        count.seen += len(records)
        count.kept += len(kept)
        count.seconds += time.perf_counter() - started
        stats = step.take_stats()
        count.counts.update(stats.counts)
        count.note(stats.warnings)
        return kept

    def _transform(
        self, name: str, step: Step, records: list[Record], count: StepCount
    ) -> list[Record]:
        """The records a transform, LLM or expanding step makes of ``records``; the rejects
        written down."""
        if isinstance(step, LLMStep):
            outcomes: list[Any] = step.run_batch(records)
        else:
            one = _per_record(step)
            outcomes = []
            for record in records:
                try:
                    outcomes.append(one(record))
                except Exception as exc:
                    outcomes.append(exc)
        kept: list[Record] = []
        added = count.added
        for record, outcome in zip(records, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                outcome = self._crash(name, record, outcome)
            if isinstance(outcome, Reject):
                self._reject(name, outcome, record, count)
            elif isinstance(outcome, list):  # a step that expands (augmentation)
                self._expanded(name, record, outcome, kept, count)
            else:
                kept.append(outcome)
        self.added += count.added - added
        return kept

    def _filter(
        self, name: str, step: FilterStep, records: list[Record], count: StepCount
    ) -> list[Record]:
        """The records ``step`` keeps; the others rejected (see :meth:`FilterStep.check`)."""
        keep, code = step.keep, step.code
        kept: list[Record] = []
        for record in records:
            try:
                verdict = keep(record)
            except Exception as exc:
                verdict = self._crash(name, record, exc)
            if verdict is True:
                kept.append(record)
            elif isinstance(verdict, Reject):
                self._reject(name, verdict, record, count)
            else:
                self._reject(name, Reject(code), record, count)
        return kept

    def _expanded(
        self, name: str, record: Record, items: list[Any], kept: list[Record], count: StepCount
    ) -> None:
        """The records one record became: each kept, or rejected when it comes as a
        ``(record, Reject)`` pair (a variant that failed a check); all but one are added."""
        if not items:
            self._reject(name, Reject("expanded_to_nothing"), record, count)
            return
        count.added += len(items) - 1
        for item in items:
            if isinstance(item, tuple):
                self._reject(name, item[1], item[0], count)
            else:
                kept.append(item)

    def _crash(self, name: str, record: Record, exc: BaseException) -> Reject:
        reject, failure = self._crash_outcome(name, record, exc)
        if failure:
            raise StepFailure(failure) from None
        return reject

    def _crash_outcome(self, name: str, record: Record, exc: BaseException) -> tuple[Reject, str]:
        """The reject for a step that raised, and with ``on_error: fail`` the failure message."""
        summary = f"{type(exc).__name__}: {exc}"
        failure = ""
        if self.pipeline.on_error == "fail":
            where = f" at {record.source}" if record.source else ""
            tb = "".join(traceback.format_exception(exc, limit=-3))
            failure = f"step {name} failed{where}: {summary}\n{tb}"
        return Reject("step_error", value=summary[:500]), failure

    def _reject(self, name: str, reject: Reject, record: Record, count: StepCount) -> None:
        self.rejects.append(reject_entry(name, reject, record))
        count.rejected[reject.code] += 1

    def _reject_read(self, item: Rejected) -> None:
        count = self.steps.setdefault(READ_STEP, StepCount())
        count.rejected[item.code] += 1
        reject = Reject(item.code, value=item.field, detail=item.reason)
        self._add_reject(READ_STEP, reject, item.file, item.line, item.record)

    def _add_reject(
        self, step: str, reject: Reject, file: str | None, line: int | None, record: Any
    ) -> None:
        self.rejects.append(entry(step, reject, file, line, record))

    def _write(self, records: list[Record]) -> dict[str, Any]:
        p, task = self.pipeline, self.task
        last = task.segment == len(p.segments) - 1
        outputs: list[dict[str, Any]] = []
        ahead = p.tail_render and task.segment == len(p.segments) - 2
        foreseen: list[int] | None = None
        if self.segment.gate is not None:  # first: the steps run ahead may change the records
            name, step = self.segment.gate
            started = time.perf_counter()
            step.ensure_setup()
            signatures = step.sign(records)
            signed = Signed(task.shard, Wheres.of(records), [r.id for r in records], signatures)
            write_pickle(p.shard_file(task.segment, task.shard, "sig"), tuple(signed))
            if ahead and step.keeps_first:
                sight = foresight(name)
                sight.catch_up(task.shard, self._signatures)
                foreseen = sight.foresee(task.shard, signatures)
            self.steps.setdefault(name, StepCount()).seconds += time.perf_counter() - started
        kept = len(records)
        final = False
        if ahead:
            rendered, counted = self._run_ahead(records, foreseen)
            if foreseen is not None and UNKNOWN in foreseen:  # the others signed meanwhile?
                sight.catch_up(task.shard, self._signatures)
                settled = sight.refine(task.shard, signatures, foreseen)
                rendered, foreseen = resettled(rendered, foreseen, settled), settled
            staged = p.shard_file(task.segment, task.shard, "staged")
            stage(staged, len(p.outputs), rendered, foreseen, counted)
            # every fate foreseen: the staged rows are the shard's output (see engine.join)
            final = foreseen is not None and UNKNOWN not in foreseen
        elif last:
            rendered = self._render(records)
            kept = len(rendered)
            for k in range(len(p.outputs)):
                data = b"".join(r.rows[k] for r in rendered)
                outputs.append(
                    self._write_output(
                        k, data, [r.losses for r in rendered], [len(r.rows[k]) for r in rendered]
                    )
                )
        else:
            write_atomic(p.shard_file(task.segment, task.shard, "jsonl"), dump_records(records))
        return self._commit(kept, outputs, final)

    def _signatures(self, shard: int) -> Any:
        """The gate's signatures of another shard of this segment, or None while unsigned."""
        try:
            signed = read_pickle(self.pipeline.shard_file(self.task.segment, shard, "sig"))
        except FileNotFoundError:
            return None
        return Signed(*signed).signatures

    def _commit(
        self, kept: int, outputs: list[dict[str, Any]], final: bool = False
    ) -> dict[str, Any]:
        p, task = self.pipeline, self.task
        write_atomic(p.shard_file(task.segment, task.shard, "rej"), b"".join(self.rejects))
        meta = {
            "segment": task.segment,
            "shard": task.shard,
            "read": self.read,
            "added": self.added,
            "kept": kept,
            "rejected": len(self.rejects),
            "steps": {name: c.to_dict() for name, c in self.steps.items()},
            "outputs": outputs,
        }
        if final:
            meta["final"] = True
        write_json(p.shard_file(task.segment, task.shard, "json"), meta)
        return meta

    def _render(self, records: list[Record]) -> list[Rendered]:
        """Every record rendered for every output; one that an output cannot hold is rejected."""
        scratch = [Losses() for _ in self.pipeline.outputs]
        rendered = []
        count = StepCount()
        for record in records:
            try:
                rows, losses = self._render_one(record, scratch)
            except (Unconvertible, ValueError) as exc:
                self._reject(WRITE_STEP, unconvertible(exc), record, count)
                continue
            src = record.source
            rendered.append(
                Rendered(src.file if src else None, src.line if src else None, b"", rows, losses)
            )
        if count.rejected:
            count.seen, count.kept = len(records), len(rendered)
            self.steps[WRITE_STEP] = count
        return rendered

    def _render_one(
        self, record: Record, scratch: list[Losses]
    ) -> tuple[tuple[bytes, ...], tuple[dict[str, int], ...] | None]:
        """The record's row for each output (empty for an output that does not take it), and
        what each output could not hold (or None); :class:`Unconvertible` when no output takes
        it."""
        try:
            rows = tuple(
                dump(o.format.render(record, scratch[k])) if o.takes(record) else b""
                for k, o in enumerate(self.pipeline.outputs)
            )
            if not any(rows):
                split = record.metadata.get("split")
                raise NoOutput(f"no output takes records of split {split!r}")
        finally:
            losses = tuple(dict(x) for x in scratch) if any(scratch) else None
            for x in scratch:
                x.clear()
        return rows, losses

    def _run_ahead(
        self, records: list[Record], foreseen: list[int] | None
    ) -> tuple[list[Rendered], list[dict[str, int]]]:
        """The last segment's steps and the rendering, run ahead of the last global step's
        decision on every record it will decide on (see :attr:`Pipeline.tail_render`).

        Nothing is counted or rejected yet: each record keeps its canonical line as the global
        step saw it (for its rejects line, should the decision drop it) and its :class:`Ahead`,
        what the steps did to it, which :meth:`_finish_rendered` counts only for the records the
        decision keeps. Step times are counted here, for the work was done here. With a
        ``foreseen`` decision (see :mod:`~ftprep.engine.foresight`), the records surely dropped
        keep only their canonical line, and those surely kept need none; what the steps counted
        for the latter comes back summed, per step.
        """
        steps = self.pipeline.segments[-1].steps
        n = len(records)
        fates: list[Fate | None] = [None] * n
        deltas: list[list[tuple[int, dict[str, int]]]] = [[] for _ in range(n)] if steps else []
        if foreseen is None:
            foreseen = [UNKNOWN] * n
        canonical = [
            b"" if f == KEEP else dump(r.to_dict()) for r, f in zip(records, foreseen, strict=True)
        ]
        alive = [i for i, f in enumerate(foreseen) if f != DROP]
        current = [records[i] for i in alive]
        sure = [f == KEEP for f in foreseen]
        #: per step, what it counted for the records surely kept (all of it counts)
        counted_kept: list[Counter[str]] = [Counter() for _ in steps]
        for k, (name, step) in enumerate(steps):
            started = time.perf_counter()
            step.ensure_setup()
            count = self.steps.setdefault(name, StepCount())
            survivors: list[int] = []
            outcomes: list[Record] = []
            one = _per_record(step)
            for i, record in zip(alive, current, strict=True):
                if not sure[i] and step.stats.counts:  # set aside the sure records' counts
                    counted_kept[k].update(step.stats.counts)
                    step.stats.counts.clear()
                outcome: Record | Reject | Expansion | BaseException
                try:
                    outcome = one(record)
                except Exception as exc:
                    outcome = exc
                if isinstance(outcome, list):  # tail_render holds only without such steps
                    raise TypeError(f"{name} expanded a record but says it does not expand")
                counted = step.stats.counts
                if counted and not sure[i]:  # what it counted for this record alone
                    deltas[i].append((k, dict(counted)))
                    counted.clear()
                failure = ""
                if isinstance(outcome, BaseException):
                    outcome, failure = self._crash_outcome(name, record, outcome)
                if isinstance(outcome, Reject):
                    fates[i] = Fate(k, outcome.code, reject_entry(name, outcome, record), failure)
                else:
                    survivors.append(i)
                    outcomes.append(outcome)
            alive, current = survivors, outcomes
            stats = step.take_stats()
            counted_kept[k].update(stats.counts)  # (warnings: whatever the decision)
            count.note(stats.warnings)
            count.seconds += time.perf_counter() - started
        scratch = [Losses() for _ in self.pipeline.outputs]
        rows: list[tuple[bytes, ...]] = [()] * n
        losses: list[tuple[dict[str, int], ...] | None] = [None] * n
        for i, record in zip(alive, current, strict=True):
            try:
                rows[i], losses[i] = self._render_one(record, scratch)
            except (Unconvertible, ValueError) as exc:
                line = reject_entry(WRITE_STEP, unconvertible(exc), record)
                fates[i] = Fate(len(steps), getattr(exc, "code", "unconvertible"), line, "")
        out = []
        for i, record in enumerate(records):
            src = record.source
            fate, delta = fates[i], deltas[i] if deltas else None
            line = canonical[i]
            if rows[i] and line == rows[i][0]:
                line = b""  # the first output's row says it: half the bytes to hand over
            out.append(
                Rendered(
                    src.file if src else None,
                    src.line if src else None,
                    line,
                    rows[i],
                    losses[i],
                    Ahead(fate, tuple(delta or ())) if fate is not None or delta else None,
                )
            )
        return out, [dict(c) for c in counted_kept]

    def _write_output(
        self,
        k: int,
        data: bytes | Path,
        losses: Sequence[tuple[dict[str, int], ...] | None],
        lengths: list[int],
    ) -> dict[str, Any]:
        """Write output ``k``'s rows of the shard: ``data``, the rows back to back (or the file
        that holds them), of the ``lengths`` (0 where output ``k`` does not take a record);
        ``losses``, what the records' rows could not hold (None: nothing), for each output."""
        p, task = self.pipeline, self.task
        path = p.shard_file(task.segment, task.shard, f"out{k}")
        if isinstance(data, Path):
            link_atomic(data, path)
        else:
            write_atomic(path, data)
        lost: Counter[str] = Counter()
        for x in losses:
            if x:
                lost.update(x[k])
        rows = len(lengths) - lengths.count(0)
        return {"rows": rows, "losses": dict(sorted(lost.items()))}

    def _finish_rendered(self) -> dict[str, Any]:
        """The last segment when the previous one rendered already: apply the last global
        step's decision, count what the steps run ahead did to the records it kept, write."""
        p, task = self.pipeline, self.task
        staged = Staged(*read_pickle(p.shard_file(task.segment - 1, task.shard, "staged")))
        n = len(staged.files)
        name, _ = self.segment.after  # type: ignore[misc]
        gate = self.steps.setdefault(name, StepCount())
        counts = [self.steps.setdefault(step, StepCount()) for step, _ in self.segment.steps]
        write = StepCount()
        drops = task.drops or {}
        if staged.foreseen_drops or staged.foreseen_keeps:
            check_foresight(name, task.shard, staged.foreseen_drops, staged.foreseen_keeps, drops)
        for k, totals in enumerate(staged.counted):  # the records surely kept
            counts[k].counts.update(totals)
        for reject in drops.values():
            if not isinstance(reject, Reject):  # tail_render holds only for drops_only
                raise TypeError(f"{name} marked a record but says it only drops")
            gate.rejected[reject.code] += 1
        #: how many records the decision kept got as far as each step (the last: all of them)
        reached = [0] * (len(counts) + 1)
        reached[-1] = n - len(drops)
        later: list[list[bytes]] = [[] for _ in range(len(counts) + 1)]  # by step, then write
        rejected: set[int] = set()
        for i, plain in staged.ahead.items():
            if i in drops:
                continue
            ahead = unplain_ahead(plain)
            for k, delta in ahead.counts:
                counts[k].counts.update(delta)
            fate = ahead.fate
            if fate is None:
                continue
            if fate.failure:
                raise StepFailure(fate.failure)
            rejected.add(i)
            reached[-1] -= 1
            reached[fate.step] += 1
            later[fate.step].append(fate.entry)
            count = counts[fate.step] if fate.step < len(counts) else write
            count.seen += 1
            count.rejected[fate.code] += 1
        passed = 0  # records that went through a step: those that got past it
        for k in range(len(counts), 0, -1):
            passed += reached[k]
            counts[k - 1].seen += passed
            counts[k - 1].kept += passed
        kept = [i for i in range(n) if i not in drops and i not in rejected]
        gone = drops.keys() | rejected
        pre = [p.shard_file(task.segment - 1, task.shard, f"pre{k}") for k in range(len(p.outputs))]
        # an output where no record left out has a row (foreseen, or rejected ahead) is its
        # staged file as it is; the others' staged rows are read once
        data = [
            None if not any(lengths[i] for i in gone) else pre[k].read_bytes()
            for k, lengths in enumerate(staged.lengths)
        ]
        ends = [list(accumulate(lengths)) for lengths in staged.lengths]
        self.rejects += gate_rejects(name, drops, staged, data[0] or b"", ends[0])
        for entries in later:  # in the order of running the steps after the decision
            self.rejects += entries
        gate.seen, gate.kept = n, n - len(drops)
        if write.rejected:
            write.kept = len(kept)
            write.seen = write.kept + sum(write.rejected.values())
            self.steps[WRITE_STEP] = write
        outputs = []
        losses = [staged.losses[i] for i in kept if i in staged.losses]
        for k, rows in enumerate(data):
            lengths = staged.lengths[k]
            out = pre[k] if rows is None else keep_rows(rows, lengths, ends[k], kept)
            outputs.append(self._write_output(k, out, losses, [lengths[i] for i in kept]))
        meta = self._commit(len(kept), outputs)
        # the shard is done: its staged rows go now, while the other shards are at work (a
        # file removed before the kernel writes it back never reaches the disk)
        for k in range(len(p.outputs)):
            p.shard_file(task.segment - 1, task.shard, f"pre{k}").unlink(missing_ok=True)
        p.shard_file(task.segment - 1, task.shard, "staged").unlink(missing_ok=True)
        return meta


def _per_record(step: Step) -> Callable[[Record], Record | Reject | Expansion]:
    """What running ``step`` on one record is: its transform, or its filter's verdict with the
    record kept as it is (the step is set up already)."""
    if isinstance(step, TransformStep):
        return step.transform
    if isinstance(step, FilterStep):
        check = step.check
        return lambda record: check(record) or record
    raise TypeError(f"cannot run a {step.kind} step per record")


#: the pipeline of this worker process, set by :func:`init_worker`
_PIPELINE: Pipeline | None = None


def init_worker(pipeline: Pipeline, workers: int = 1) -> None:
    global _PIPELINE
    _PIPELINE = pipeline
    reset(workers)


def run_shard(task: ShardTask) -> dict[str, Any]:
    assert _PIPELINE is not None, "init_worker was not called"
    with fewer_collections():  # a shard allocates millions of objects and no cycles
        return ShardRun(_PIPELINE, task).run()
