"""``ftprep split``: train/validation/test splits of one file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ftprep.cli.clean import common_run_options, step_params
from ftprep.cli.runs import echo_result, run_options
from ftprep.formats import FORMATS, WRITABLE
from ftprep.jobs import split


def _floats(ctx: click.Context, param: click.Parameter, value: str | None) -> list[float] | None:
    if value is None:
        return None
    try:
        return [float(x) for x in value.split(",")]
    except ValueError:
        raise click.BadParameter(f"expected numbers separated by commas, got {value!r}") from None


@click.command("split")
@click.argument("src", type=click.Path(exists=True, path_type=Path))
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--ratios", callback=_floats, help="Shares of the splits (default 0.8,0.1,0.1).")
@click.option("--names", help="Split names, comma-separated (default train,validation,test).")
@click.option("--stratify", help="Keep the shares of this field's values, e.g. metadata.category.")
@click.option(
    "--group", help="Keep records with the same value together, e.g. metadata.session_id."
)
@click.option("--seed", type=int, help="Seed of the assignment (default 0).")
@click.option(
    "--leakage",
    type=click.Choice(["report", "move", "drop", "off"]),
    help="Same or near-duplicate records in two splits: report (default), move, drop, off.",
)
@click.option("--from", "fmt", type=click.Choice(list(FORMATS)), help="Input format.")
@click.option(
    "--to",
    type=click.Choice(list(WRITABLE)),
    default="openai",
    show_default=True,
    help="Output format.",
)
@run_options
def split_command(src: Path, out_dir: Path, **options: Any) -> None:
    """Split SRC into OUT_DIR/train.jsonl, validation.jsonl and test.jsonl.

    Assignment is by a seeded hash of each record (or of its group), so it is the same whatever
    the input order; stratified shares are exact. Rejects, stats (split sizes, strata, leaked
    pairs) and manifest are written in OUT_DIR. Other parameters (min_size,
    leakage_threshold, ...) go with --set KEY=VALUE; see `ftprep steps show split`.
    """
    params = step_params(options)
    for key in ("ratios", "stratify", "group", "seed", "leakage"):
        value = options.pop(key)
        if value is not None:
            params[key] = value
    names = options.pop("names")
    if names:
        params["names"] = [n.strip() for n in names.split(",")]
    run = common_run_options(options)
    echo_result(split(src, out_dir, params=params, **run))
