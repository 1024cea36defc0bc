"""``ftprep split``: train/validation/test splits of one file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ftprep.cli.clean import common_run_options, io_options, step_params
from ftprep.cli.common import to_option
from ftprep.cli.runs import echo_result, run_options
from ftprep.formats import FORMATS
from ftprep.jobs import one_shot, split


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
@to_option
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


def _targets(ctx: click.Context, param: click.Parameter, value: str | None) -> dict | None:
    if value is None:
        return None
    out = {}
    for item in value.split(","):
        name, sep, share = item.partition("=")
        try:
            out[name.strip()] = float(share)
        except ValueError:
            raise click.BadParameter(f"expected CLASS=SHARE,..., got {item!r}") from None
        if not sep:
            raise click.BadParameter(f"expected CLASS=SHARE,..., got {item!r}")
    return out


@click.command("balance")
@io_options
@click.option("--field", help="Dotted path of the class (default metadata.category).")
@click.option("--max-per-class", type=int, help="Downsample each class to at most this many.")
@click.option("--min-per-class", type=int, help="Upsample smaller classes to this many (copies).")
@click.option("--max-copies", type=int, help="The most times one record may appear (default 2).")
@click.option(
    "--targets", callback=_targets, help="Composition, e.g. common=0.6,edge_case=0.2,refusal=0.2."
)
@click.option("--enforce", is_flag=True, help="Downsample until the mix meets --targets.")
@run_options
def balance_command(src: Path, dst: Path, **options: Any) -> None:
    """Shape the class mix of SRC into DST: caps, copies, a composition by example type.

    Counts per class before and after, and the composition against its targets, are in the
    stats beside DST; other parameters (keep, seed, tolerance) go with --set KEY=VALUE.
    """
    params = step_params(options)
    for key in ("field", "max_per_class", "min_per_class", "max_copies", "targets"):
        value = options.pop(key)
        if value is not None:
            params[key] = value
    if options.pop("enforce"):
        params["enforce"] = True
    echo_result(one_shot(src, dst, [{"balance": params}], **common_run_options(options)))
