"""Options and output shared by the commands that run steps (run, apply, clean, pii)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from ftprep.engine import RunResult
from ftprep.engine.run import llm_usage

set_option = click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="STEP.PARAM=VALUE",
    help="Override a step parameter (or options.KEY); the value is read as YAML.",
)


def run_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--set, --workers, --resume, --progress/--no-progress, --report/--no-report."""
    options = [
        set_option,
        click.option(
            "--workers",
            default=None,
            metavar="N|auto",
            help="Worker processes (default: the recipe's, else every core). "
            "The output is the same whatever the number.",
        ),
        click.option(
            "--resume",
            is_flag=True,
            help="Go on from an interrupted run, redoing only the unfinished shards.",
        ),
        click.option(
            "--progress/--no-progress",
            default=None,
            help="Progress bars on stderr (default: when stderr is a terminal).",
        ),
        click.option(
            "--report/--no-report",
            default=None,
            help="Write report.html (the dataset's statistics, the funnel, rejected samples, "
            "the checklist): on for `ftprep run`, off for one-shot commands by default.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def progress_wanted(flag: bool | None) -> bool:
    return sys.stderr.isatty() if flag is None else flag


def echo_result(result: RunResult) -> None:
    """The per-step summary table, the accounting line and where everything is."""
    table = Table(title=None, show_edge=False, pad_edge=False)
    added = any(step.get("added") for step in result.steps)
    for name, justify in (
        ("step", "left"),
        ("in", "right"),
        *((("added", "right"),) if added else ()),
        ("kept", "right"),
        ("rejected", "right"),
        ("reasons", "left"),
        ("seconds", "right"),
    ):
        table.add_column(name, justify=justify)
    for step in result.steps:
        rejected = sum(step["rejected"].values())
        reasons = ", ".join(f"{k} {v:,}" for k, v in step["rejected"].items())
        label = step["name"] if step["name"] == step["step"] else f"{step['name']} ({step['step']})"
        table.add_row(
            label,
            f"{step['in']:,}",
            *((f"{step.get('added', 0):,}",) if added else ()),
            f"{step['kept']:,}",
            f"{rejected:,}",
            reasons,
            f"{step['seconds']:.2f}",
        )
    console = Console(width=max(100, Console().width), highlight=False)
    for c in result.collected:
        click.echo(collect_line(c))
    console.print(table)
    click.echo(
        f"read {result.read:,}"
        + (f" + added {result.added:,}" if result.added else "")
        + f" = written {result.written:,} + rejected {result.rejected:,} "
        f"in {result.seconds:.1f} s with {result.workers} worker(s)"
        + (f" ({result.resumed_shards} shard(s) reused)" if result.resumed_shards else "")
    )
    if usage := llm_line(result.steps):
        click.echo(usage)
    for warning in result.warnings:
        click.secho(f"warning: {warning}", fg="yellow", err=True)
    for path in result.outputs:
        click.echo(f"output:   {path}")
    click.echo(f"rejects:  {result.rejects}")
    click.echo(f"stats:    {result.stats}")
    click.echo(f"manifest: {result.manifest}")
    if result.report:
        click.echo(f"report:   {result.report}")


def collect_line(c: dict[str, Any]) -> str:
    """What a collector read and made: rows = rows in conversations + rejected (+ before)."""
    reasons = ", ".join(f"{k} {v:,}" for k, v in c["reasons"].items())
    line = (
        f"collect {c['source']}: {c['rows']:,} rows = {c['rows_in_records']:,} in "
        f"{c['records']:,} conversations + {c['rejected']:,} rejected"
        + (f" ({reasons})" if reasons else "")
        + (f" + {c['collected_before']:,} collected before" if c["collected_before"] else "")
    )
    if agreement := c.get("agreement"):
        line += (
            f"\nagreement over {agreement['items']:,} items: "
            f"{agreement['percent_agreement']:.3f} of pairs agree, Krippendorff's alpha "
            f"({agreement['level']}) {agreement['krippendorff_alpha']:.3f}"
            + (
                f", Fleiss' kappa {agreement['fleiss_kappa']:.3f}"
                if "fleiss_kappa" in agreement
                else ""
            )
            + f"; {c.get('to_adjudicate', 0):,} items to adjudicate"
        )
    return line


def llm_line(steps: list[dict[str, Any]]) -> str:
    """One line on what the LLM steps spent ("" when none ran)."""
    total = llm_usage(steps)
    if not total:
        return ""
    line = (
        f"llm: {int(total.get('requests', 0)):,} requests, {int(total.get('cached', 0)):,} "
        f"from the cache, {int(total.get('retries', 0)):,} retries, "
        f"{int(total.get('prompt_tokens', 0)):,} prompt + "
        f"{int(total.get('completion_tokens', 0)):,} completion tokens"
    )
    if "cost" in total:
        line += f", cost {total['cost']:.4f}"
    return line
