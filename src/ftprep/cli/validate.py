"""``ftprep validate``: check a fine-tuning file and say exactly where and why it is wrong."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
import orjson

from ftprep.cli.common import input_options, mapping_from
from ftprep.validate import CODES, TARGETS, StrictStop, render_text, validate
from ftprep.validate.codes import ERROR, OFF, WARNING, severities


def _list_codes(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    table = severities("openai")
    for code, spec in CODES.items():
        click.echo(f"{code:<32} {table[code]:<8} {spec.title}")
    ctx.exit(0)


def _workers(_ctx: click.Context, _param: click.Parameter, value: str) -> int | str:
    if value == "auto":
        return value
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise click.BadParameter(f"{value!r} is not a positive integer or 'auto'")
    return number


@click.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--target",
    type=click.Choice(TARGETS),
    default="openai",
    show_default=True,
    help="The trainer the file is for.",
)
@click.option(
    "--tokenizer",
    help="tokenizer.json, a model directory, or tiktoken:NAME (default: approximate counts).",
)
@click.option("--max-tokens", type=int, help="Context limit per example (default: the target's).")
@click.option("--no-tokens", is_flag=True, help="Skip token counting.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--strict", is_flag=True, help="Stop at the first error.")
@click.option("--error", "as_error", multiple=True, metavar="CODE", help="Treat CODE as an error.")
@click.option(
    "--warn", "as_warning", multiple=True, metavar="CODE", help="Treat CODE as a warning."
)
@click.option("--ignore", "ignored", multiple=True, metavar="CODE", help="Do not report CODE.")
@click.option(
    "--findings",
    "findings_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write every finding to this JSONL file.",
)
@click.option(
    "--price-per-1m", type=float, help="Price per 1M training tokens, for the cost estimate."
)
@click.option("--epochs", type=int, help="Epochs for the estimate (default: OpenAI's rule).")
@click.option("--examples", default=3, show_default=True, help="Findings shown per code.")
@click.option(
    "--workers",
    default="auto",
    show_default=True,
    metavar="N|auto",
    callback=_workers,
    help="Processes that share a large JSON Lines file (auto: one per CPU, at most 8; 1: no "
    "extra process). The report is the same whatever the number.",
)
@click.option(
    "--list-codes",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_list_codes,
    help="List every finding code and exit.",
)
@input_options
def validate_command(
    files: tuple[Path, ...],
    as_json: bool,
    as_error: tuple[str, ...],
    as_warning: tuple[str, ...],
    ignored: tuple[str, ...],
    findings_path: Path | None,
    no_tokens: bool,
    maps: tuple[str, ...],
    examples: int,
    price_per_1m: float | None,
    workers: int | str,
    **options: Any,
) -> None:
    """Check FILES for fine-tuning: format, roles, tool calls, content, tokens and cost.

    Exit status: 0 when no errors, 1 when errors were found, 2 when the check could not run.
    """
    overrides = (
        {c: ERROR for c in as_error} | {c: WARNING for c in as_warning} | {c: OFF for c in ignored}
    )
    unknown = sorted(set(overrides) - set(CODES))
    if unknown:
        raise click.BadParameter(f"unknown code(s) {', '.join(unknown)}; see --list-codes")
    mapping = mapping_from(maps, options.get("fmt"))
    sink = findings_path.open("wb") if findings_path else None
    reports = []
    try:
        for file in files:
            try:
                report = validate(
                    file,
                    severity=overrides,
                    count_tokens=not no_tokens,
                    mapping=mapping,
                    findings_out=sink,
                    examples_per_code=max(examples, 5),
                    price_per_million_tokens=price_per_1m,
                    workers=workers,
                    **options,
                )
            except StrictStop as stop:
                click.echo(f"{stop.finding}", err=True)
                raise click.exceptions.Exit(1) from None
            reports.append(report)
            if not as_json:
                click.echo(render_text(report, examples=examples))
    finally:
        if sink is not None:
            sink.close()
    if as_json:
        payload = [r.to_dict() for r in reports]
        sys.stdout.buffer.write(
            orjson.dumps(payload[0] if len(payload) == 1 else payload, option=orjson.OPT_INDENT_2)
        )
        sys.stdout.buffer.write(b"\n")
    if not all(r.ok for r in reports):
        raise click.exceptions.Exit(1)
