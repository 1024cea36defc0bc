"""Checking a large JSON Lines file in several worker processes, with the one-process report.

The file is cut into byte ranges at newlines (:func:`ftprep.io.jsonl.split_line_ranges`). Each
worker, forked from the caller so that it inherits the settings and the token counter, checks whole
ranges into a report of its own with line numbers counted from the range's start, and sends it
back with the number of lines it read. The caller merges the reports in file order, adding to each
line number the lines of the ranges before it: findings are counted, the first few of each code
kept and written to the ``--findings`` file in file order, distributions added up, exactly as one
process would have. ``strict`` keeps working: the first range that stopped at an error names the
first error of the file, since every range before it was read to the end without one.

Two cases go back to one process (the caller is told so, and nothing has been merged yet): a range
after the first meets more distinct system prompts than are remembered (which of them the
one-process run keeps depends on the ranges before it), or a worker fails for any reason (run in
one process, the failure is raised as it would have been).
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import tempfile
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import nullcontext
from dataclasses import dataclass, replace
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import IO

import orjson

from ftprep.io.jsonl import split_line_ranges
from ftprep.tokens import TokenCounter
from ftprep.validate.findings import Collector, Finding, StrictStop
from ftprep.validate.report import ValidationReport
from ftprep.validate.run import MAX_SYSTEM_PROMPTS, Cancelled, Checker, PromptOverflow

#: files smaller than this are checked in one process (starting workers costs more than it saves)
PARALLEL_MIN_BYTES = 16 << 20
#: ranges per worker (more, smaller ranges even out the workers' loads at the end)
RANGES_PER_WORKER = 8
#: no range is smaller than this
MIN_RANGE_BYTES = 4 << 20
#: ``workers="auto"`` uses the usable CPUs, at most this many
MAX_AUTO_WORKERS = 8


def resolve_workers(workers: int | str | None) -> int:
    """The number of processes ``workers`` asks for: a positive int, or ``"auto"``/None."""
    if workers is None or workers == "auto":
        usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
        return max(1, min(usable or os.cpu_count() or 1, MAX_AUTO_WORKERS))
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a positive integer or 'auto', not {workers!r}")
    return workers


def plan_ranges(path: Path, workers: int) -> list[tuple[int, int]]:
    """The byte ranges to hand out; fewer than two when the file is checked in one process.

    Workers are forked (so only where ``fork`` exists: Linux, macOS), and only for a file of at
    least :data:`PARALLEL_MIN_BYTES`.
    """
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return []
    if path.stat().st_size < PARALLEL_MIN_BYTES:
        return []
    return split_line_ranges(path, workers * RANGES_PER_WORKER, min_bytes=MIN_RANGE_BYTES)


@dataclass
class _Job:
    """What every worker needs; set before the pool forks, so it is inherited, not pickled."""

    template: ValidationReport
    counter: TokenCounter | None
    path: Path
    ranges: list[tuple[int, int]]
    sink_dir: str | None
    #: set by the caller when the remaining ranges are not needed
    cancel: Event


@dataclass
class _Part:
    """What a worker sends back for one range."""

    index: int
    lines: int = 0
    report: ValidationReport | None = None
    billing_tokens: int = 0
    stop: Finding | None = None
    failed: str = ""


_JOB: _Job | None = None


def scan_parallel(
    checker: Checker,
    path: Path,
    ranges: list[tuple[int, int]],
    workers: int,
    sink: IO[bytes] | None,
) -> bool:
    """Check ``ranges`` of ``path`` in ``workers`` processes into ``checker``'s report.

    Returns False, having changed nothing, when the file must be checked in one process instead.
    Raises :class:`StrictStop` at the file's first error when the report is strict.
    """
    global _JOB
    if sink is not None:
        sink.flush()  # the workers inherit its buffer; nothing may be left in it to write twice
    parts: list[_Part] = []
    with tempfile.TemporaryDirectory(prefix="ftprep-") if sink else nullcontext() as sink_dir:
        cancel = multiprocessing.get_context("fork").Event()
        _JOB = _Job(checker.report, checker.counter, path, ranges, sink_dir, cancel)
        try:
            if not _run_parts(min(workers, len(ranges)), len(ranges), parts):
                return False
        finally:
            _JOB = None
        parts.sort(key=lambda p: p.index)
        _merge(checker, parts, sink, sink_dir)
    return True


def _run_parts(workers: int, count: int, parts: list[_Part]) -> bool:
    """Run the job's ``count`` ranges in a pool of forked processes, appending to ``parts``.

    Returns False when a range failed. Stops early (the workers still running give up at their
    next chunk) once a range stopped at a strict error and every range before it is in.
    """
    job = _JOB
    assert job is not None
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(_work, index) for index in range(count)]
        try:
            for future in as_completed(futures):
                part = future.result()
                if part.failed:
                    return False
                parts.append(part)
                if _settled(parts):
                    break
            return True
        except Exception:  # a worker died, or could not send its result: one process will tell
            return False
        finally:
            job.cancel.set()
            for future in futures:
                future.cancel()


def _settled(parts: list[_Part]) -> bool:
    """Whether a range stopped at a strict error and every range before it is in."""
    stops = [part.index for part in parts if part.stop is not None]
    if not stops:
        return False
    have = {part.index for part in parts}
    return all(index in have for index in range(min(stops)))


def _work(index: int) -> _Part:
    """Check range ``index`` of the job (in a worker process)."""
    job = _JOB
    assert job is not None
    start, end = job.ranges[index]
    sink = open(_sink_path(job.sink_dir, index), "wb") if job.sink_dir else None  # noqa: SIM115
    report = _fresh(job.template, sink)
    checker = Checker(report, job.counter, exact_prompts=index > 0)
    part = _Part(index, report=report)
    try:
        part.lines = checker.scan_jsonl(job.path, start, end, cancel=job.cancel.is_set)
    except Cancelled:
        return _Part(index, failed="cancelled")
    except StrictStop as stop:
        part.stop = replace(stop.finding)  # a copy: the kept one gets its line shifted on its own
    except PromptOverflow:
        return _Part(index, failed="too many distinct system prompts")
    except Exception as exc:  # any failure: the caller reruns in one process and raises it there
        return _Part(index, failed=f"{type(exc).__name__}: {exc}")
    finally:
        if sink is not None:
            sink.close()
    report.findings.sink = None  # a file cannot be sent back, and is closed anyway
    part.billing_tokens = checker.billing_tokens
    return part


def _fresh(template: ValidationReport, sink: IO[bytes] | None) -> ValidationReport:
    """An empty report with ``template``'s settings, writing findings to ``sink``."""
    base = template.findings
    findings = Collector(
        base.severity,
        file=base.file,
        examples=base.examples_per_code,
        sink=sink,
        strict=base.strict,
    )
    return ValidationReport(
        file=template.file,
        container=template.container,
        format=template.format,
        target=template.target,
        findings=findings,
        tokenizer=template.tokenizer,
        approximate=template.approximate,
        token_limit=template.token_limit,
    )


def _merge(
    checker: Checker, parts: list[_Part], sink: IO[bytes] | None, sink_dir: str | None
) -> None:
    """Add the ranges' reports to ``checker``'s in file order, shifting their line numbers."""
    offset = 0
    for part in parts:
        assert part.report is not None
        _merge_report(checker.report, part.report, offset)
        checker.billing_tokens += part.billing_tokens
        if sink is not None and sink_dir is not None:
            _copy_findings(_sink_path(sink_dir, part.index), sink, offset)
        if part.stop is not None:
            if part.stop.line is not None:
                part.stop.line += offset
            raise StrictStop(part.stop)
        offset += part.lines


def _merge_report(total: ValidationReport, part: ValidationReport, offset: int) -> None:
    mine, theirs = total.findings, part.findings
    mine.counts.update(theirs.counts)
    mine.records_with_errors += theirs.records_with_errors
    for code, found in theirs.examples.items():
        kept = mine.examples.setdefault(code, [])
        for finding in found[: max(0, mine.examples_per_code - len(kept))]:
            if finding.line is not None:
                finding.line += offset
            kept.append(finding)
    total.examples += part.examples
    total.missing_system += part.missing_system
    total.missing_user += part.missing_user
    total.over_limit += part.over_limit
    total.messages.merge(part.messages)
    total.total_tokens.merge(part.total_tokens)
    total.assistant_tokens.merge(part.assistant_tokens)
    prompts = total.system_prompts
    for prompt, n in part.system_prompts.items():  # in order of first appearance
        if prompt in prompts or len(prompts) < MAX_SYSTEM_PROMPTS:
            prompts[prompt] += n


def _sink_path(sink_dir: str, index: int) -> str:
    return os.path.join(sink_dir, f"{index:05d}.jsonl")


def _copy_findings(path: str, sink: IO[bytes], offset: int) -> None:
    """Append a range's findings file to ``sink``, adding ``offset`` to the line numbers."""
    with open(path, "rb") as part:
        if not offset:
            shutil.copyfileobj(part, sink, 1 << 20)
            return
        dumps, newline = orjson.dumps, orjson.OPT_APPEND_NEWLINE
        for raw in part:
            finding = orjson.loads(raw)
            if finding["line"] is not None:
                finding["line"] += offset
            sink.write(dumps(finding, option=newline))
