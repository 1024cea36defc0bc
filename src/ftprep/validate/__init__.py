"""``ftprep validate``: is this file right for OpenAI / Axolotl / LLaMA-Factory / TRL, and where not?

Runs every check of OpenAI's chat fine-tuning data-preparation notebook (without its bugs:
``weight``, ``tool_calls``, the ``tool`` role and ``tools`` are valid) and more: role order, tool
call pairing and argument schemas, content quality, token limits and the training estimate.
"""

from __future__ import annotations

import os
from typing import IO

from ftprep.formats import ColumnMapping
from ftprep.formats.openai import OpenAIChatFormat
from ftprep.io import iter_rows
from ftprep.reading import Source, open_source, parse_row
from ftprep.record import Record
from ftprep.tokens import TokenCounter, context_limit, estimate_training, load_counter
from ftprep.validate.codes import CODES, TARGETS, severities
from ftprep.validate.findings import Collector, Finding, StrictStop
from ftprep.validate.parallel import plan_ranges, resolve_workers, scan_parallel
from ftprep.validate.render import render_text
from ftprep.validate.report import ValidationReport
from ftprep.validate.run import MAX_SYSTEM_PROMPTS, Checker, file_level

__all__ = [
    "CODES",
    "MAX_SYSTEM_PROMPTS",
    "TARGETS",
    "Finding",
    "StrictStop",
    "ValidationReport",
    "render_text",
    "validate",
]


def validate(
    path: str | os.PathLike[str],
    *,
    target: str = "openai",
    tokenizer: str | None = None,
    count_tokens: bool = True,
    max_tokens: int | None = None,
    severity: dict[str, str] | None = None,
    fmt: str | None = None,
    container: str | None = None,
    mapping: ColumnMapping | None = None,
    dataset_info: str | os.PathLike[str] | None = None,
    dataset: str | None = None,
    strict: bool = False,
    findings_out: IO[bytes] | None = None,
    examples_per_code: int = 5,
    price_per_million_tokens: float | None = None,
    epochs: int | None = None,
    workers: int | str = 1,
) -> ValidationReport:
    """Check every example of ``path`` and measure the file.

    ``tokenizer`` is a ``tokenizer.json``, a model directory or ``tiktoken:NAME``; without one an
    approximate counter is used and labelled so. ``severity`` maps codes to error/warning/off.
    ``strict`` stops at the first error (raising :class:`StrictStop`). ``findings_out`` receives
    every finding as a JSON line; the report keeps counts and the first few of each code.
    ``workers`` (a number, or ``"auto"`` for one per CPU) shares a large OpenAI chat JSON Lines
    file among that many forked processes; the report is the same whatever the number.
    """
    if target not in TARGETS:
        raise ValueError(f"unknown target {target!r}; use one of {', '.join(TARGETS)}")
    processes = resolve_workers(workers)
    source = open_source(
        path,
        fmt=fmt,
        container=container,
        mapping=mapping,
        dataset_info=dataset_info,
        dataset=dataset,
    )
    counter = load_counter(tokenizer) if count_tokens else None
    collector = Collector(
        severities(target, severity),
        file=source.name,
        examples=examples_per_code,
        sink=findings_out,
        strict=strict,
    )
    report = _empty_report(source, target, collector, counter, max_tokens)
    checker = Checker(report, counter)
    _check_rows(source, checker, processes, findings_out)
    file_level(report)
    if counter is not None:
        report.estimate = estimate_training(
            report.examples,
            checker.billing_tokens,
            epochs=epochs,
            price_per_million_tokens=price_per_million_tokens,
        )
    return report


def _empty_report(
    source: Source,
    target: str,
    collector: Collector,
    counter: TokenCounter | None,
    max_tokens: int | None,
) -> ValidationReport:
    return ValidationReport(
        file=source.name,
        container=source.container,
        format=source.format.name,
        target=target,
        findings=collector,
        tokenizer=None if counter is None else counter.name,
        approximate=counter is None or counter.approximate,
        token_limit=context_limit(target, max_tokens),
    )


def _check_rows(source: Source, checker: Checker, workers: int, sink: IO[bytes] | None) -> None:
    """Check every row of ``source`` (OpenAI chat JSON Lines by the fast loop, maybe in workers)."""
    if source.container == "jsonl" and isinstance(source.format, OpenAIChatFormat):
        ranges = plan_ranges(source.path, workers)
        if len(ranges) > 1 and scan_parallel(checker, source.path, ranges, workers, sink):
            return
        checker.scan_jsonl(source.path)
        return
    out = checker.report.findings
    for row in iter_rows(source.path, container=source.container):
        if row.error is None and isinstance(source.format, OpenAIChatFormat):
            checker.example(row.line, row.value)
            continue
        for item in parse_row(source.format, row, source.name):
            if isinstance(item, Record):
                checker.example(row.line, item.to_dict())
            else:
                out.start(row.line)
                code = item.code if item.code in CODES else "unreadable_record"
                out.add(code, field=item.field, detail=item.reason)
                out.finish()
