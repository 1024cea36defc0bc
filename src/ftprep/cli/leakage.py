"""``ftprep leakage``: examples shared by train, validation and test files."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import orjson
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ftprep.leakage import check_leakage


@click.command("leakage")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    default=0.8,
    show_default=True,
    help="MinHash similarity of a near-duplicate leak.",
)
@click.option("--exact-only", is_flag=True, help="Look for exact leaks only.")
@click.option(
    "--scope",
    type=click.Choice(["user", "conversation"]),
    default="user",
    show_default=True,
    help="What is compared: the prompts (user turns) or whole conversations.",
)
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report, with the pairs, as JSON.")  # fmt: skip
def leakage_command(
    files: tuple[Path, ...], threshold: float, exact_only: bool, scope: str, json_out: Path | None
) -> None:
    """Find records that two of FILES share (train/validation/test leakage).

    A record leaks when the same or a near-duplicate record is in an earlier file (give train
    first). Exit status 1 when any record leaks; the --json report lists each leaked record with
    its twin, by id (or line).
    """
    if len(files) < 2:
        raise click.UsageError("give two or more files (e.g. train.jsonl test.jsonl)")
    report = check_leakage(list(files), threshold=None if exact_only else threshold, scope=scope)
    table = Table(show_edge=False, pad_edge=False)
    for name in ("file a", "file b", "exact", "near"):
        table.add_column(name)
    for (a, b), counts in sorted(report.counts.items()):
        table.add_row(escape(a), escape(b), f"{counts['exact']:,}", f"{counts['near']:,}")
    console = Console(highlight=False)
    sizes = ", ".join(f"{f} {n:,}" for f, n in zip(report.files, report.records, strict=True))
    click.echo(f"records: {sizes}")
    if report.total:
        console.print(table)
        for pair in report.pairs[:10]:
            click.echo(
                f"  {pair['kind']:5s} {pair['similarity']:.2f}  {pair['a_file']}: {pair['a']}"
                f"  <->  {pair['b_file']}: {pair['b']}"
            )
    click.echo(f"{report.total:,} leaked record(s)")
    if json_out is not None:
        json_out.write_bytes(orjson.dumps(report.to_dict(), option=orjson.OPT_INDENT_2))
        click.echo(f"report: {json_out}")
    sys.exit(1 if report.total else 0)
