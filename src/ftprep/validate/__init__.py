"""``ftprep validate``: is this file right for OpenAI / Axolotl / LLaMA-Factory / TRL, and where not?

Runs every check of OpenAI's chat fine-tuning data-preparation notebook (without its bugs:
``weight``, ``tool_calls``, the ``tool`` role and ``tools`` are valid) and more: role order, tool
call pairing and argument schemas, content quality, token limits and the training estimate.
"""

from __future__ import annotations

import os
from typing import IO, Any

from ftprep.formats import ColumnMapping
from ftprep.formats.openai import OpenAIChatFormat
from ftprep.io import iter_jsonl_values, iter_rows
from ftprep.reading import Source, open_source, parse_row
from ftprep.record import Record
from ftprep.tokens import TokenCounter, context_limit, estimate_training, load_counter
from ftprep.validate.codes import CODES, TARGETS, severities
from ftprep.validate.findings import Collector, Finding, StrictStop
from ftprep.validate.render import render_text
from ftprep.validate.report import ValidationReport
from ftprep.validate.structure import check_example

__all__ = [
    "CODES",
    "TARGETS",
    "Finding",
    "StrictStop",
    "ValidationReport",
    "render_text",
    "validate",
]

#: distinct system prompts remembered; beyond this they are counted, not stored
MAX_SYSTEM_PROMPTS = 10_000


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
) -> ValidationReport:
    """Check every example of ``path`` and measure the file.

    ``tokenizer`` is a ``tokenizer.json``, a model directory or ``tiktoken:NAME``; without one an
    approximate counter is used and labelled so. ``severity`` maps codes to error/warning/off.
    ``strict`` stops at the first error (raising :class:`StrictStop`). ``findings_out`` receives
    every finding as a JSON line; the report keeps counts and the first few of each code.
    """
    if target not in TARGETS:
        raise ValueError(f"unknown target {target!r}; use one of {', '.join(TARGETS)}")
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
    report = ValidationReport(
        file=source.name,
        container=source.container,
        format=source.format.name,
        target=target,
        findings=collector,
        tokenizer=None if counter is None else counter.name,
        approximate=counter is None or counter.approximate,
        token_limit=context_limit(target, max_tokens),
    )
    run = _Run(report, counter)
    for line, row in _rows(source, collector):
        run.example(line, row)
    _file_level(report)
    if counter is not None:
        report.estimate = estimate_training(
            report.examples,
            run.billing_tokens,
            epochs=epochs,
            price_per_million_tokens=price_per_million_tokens,
        )
    return report


def _rows(source: Source, out: Collector) -> Any:
    """(line, OpenAI-shaped row) pairs; unreadable rows are reported here and yield nothing."""
    if source.container == "jsonl" and isinstance(source.format, OpenAIChatFormat):
        for line, value, error, _raw in iter_jsonl_values(source.path):  # the fast path
            if error is None:
                yield line, value
            else:
                out.start(line)
                out.add("invalid_utf8" if "UTF-8" in error else "invalid_json", detail=error)
                out.finish()
        return
    for row in iter_rows(source.path, container=source.container):
        if row.error is None and isinstance(source.format, OpenAIChatFormat):
            yield row.line, row.value
            continue
        for item in parse_row(source.format, row, source.name):
            if isinstance(item, Record):
                yield row.line, item.to_dict()
            else:
                out.start(row.line)
                code = item.code if item.code in CODES else "unreadable_record"
                field = item.field
                out.add(code, field=field, detail=item.reason)
                out.finish()


class _Run:
    """The per-example loop: checks, distributions, token counts."""

    def __init__(self, report: ValidationReport, counter: TokenCounter | None) -> None:
        self.report = report
        self.counter = counter
        self.billing_tokens = 0

    def example(self, line: int, row: Any) -> None:
        report, out = self.report, self.report.findings
        out.start(line)
        facts: dict[str, Any] = {"calls": False}
        messages = check_example(row, out, facts)
        had_error = out.finish()
        report.examples += 1
        if messages is None:
            return
        report.messages.add(len(messages))
        roles = facts.get("roles", ())
        if "system" not in roles and "developer" not in roles:
            report.missing_system += 1
        if "user" not in roles:
            report.missing_user += 1
        prompt = facts.get("system")
        if prompt is not None and (
            prompt in report.system_prompts or len(report.system_prompts) < MAX_SYSTEM_PROMPTS
        ):
            report.system_prompts[prompt] += 1
        if self.counter is not None and not had_error:
            self._tokens(row, messages, line)

    def _tokens(self, row: dict[str, Any], messages: list[Any], line: int) -> None:
        assert self.counter is not None
        tools = row.get("tools")
        total, assistant = self.counter.count_messages(
            messages, tools if isinstance(tools, list) else None
        )
        report = self.report
        report.total_tokens.add(total)
        report.assistant_tokens.add(assistant)
        self.billing_tokens += min(total, report.token_limit)
        if total > report.token_limit:
            report.over_limit += 1
            report.findings.start(line)
            report.findings.add(
                "too_many_tokens", detail=f"{total:,} tokens > {report.token_limit:,}"
            )
            report.findings.finish()


def _file_level(report: ValidationReport) -> None:
    prompts = report.system_prompts
    if len(prompts) > 1:
        (top, n), *_ = prompts.most_common(1)
        out = report.findings
        out.start(None)
        out.add(
            "inconsistent_system_prompt",
            field="system",
            detail=f"{len(prompts):,} distinct system prompts; the most common is in {n:,} of "
            f"{sum(prompts.values()):,} examples: {top[:60]!r}",
        )
        out.finish()
