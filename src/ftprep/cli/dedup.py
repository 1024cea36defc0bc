"""``ftprep dedup``: drop duplicates or near-duplicates of one file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ftprep.cli.clean import common_run_options, io_options, step_params
from ftprep.cli.runs import echo_result, run_options
from ftprep.jobs import DEDUP_METHODS, dedup


@click.command("dedup")
@io_options
@click.option(
    "--method",
    type=click.Choice(list(DEDUP_METHODS)),
    default="exact",
    show_default=True,
    help="exact: identical once normalized; minhash: near-duplicates (MinHash + LSH).",
)
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    help="minhash: estimated Jaccard similarity to count as a duplicate (default 0.8).",
)
@click.option(
    "--scope",
    type=click.Choice(["conversation", "user", "assistant", "field"]),
    help="What is compared (default: conversation; user: prompt dedup).",
)
@click.option("--field", help="With --scope field: a dotted path, e.g. metadata.question.")
@click.option(
    "--keep",
    type=click.Choice(["first", "rating", "longest", "newest"]),
    help="Which record of a group is kept (default: first).",
)
@run_options
def dedup_command(src: Path, dst: Path, method: str, **options: Any) -> None:
    """Drop duplicates of SRC into DST; rejects name the record each duplicate repeats.

    Other parameters of the step (ngram, unit, num_perm, normalize, ...) go with
    --set KEY=VALUE; see `ftprep steps show dedup.exact` and `dedup.minhash`.
    Rejects, stats and manifest are written beside DST.
    """
    params = step_params(options)
    for key in ("threshold", "scope", "field", "keep"):
        value = options.pop(key)
        if value is not None:
            params[key] = value
    if "threshold" in params and method != "minhash":
        raise click.UsageError("--threshold is for --method minhash")
    echo_result(dedup(src, dst, method=method, params=params, **common_run_options(options)))
