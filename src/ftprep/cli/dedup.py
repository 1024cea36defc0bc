"""``ftprep dedup``: drop duplicates or near-duplicates of one file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ftprep.cli.clean import common_run_options, io_options, step_params
from ftprep.cli.runs import echo_result, run_options
from ftprep.jobs import DEDUP_METHODS, dedup, one_shot


@click.command("dedup")
@io_options
@click.option(
    "--method",
    type=click.Choice(list(DEDUP_METHODS)),
    default="exact",
    show_default=True,
    help="exact: identical once normalized; minhash: near-duplicates (MinHash + LSH); "
    "semantic: same meaning (sentence embeddings, cosine).",
)
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    help="minhash: estimated Jaccard similarity (default 0.8); semantic: cosine similarity "
    "(default 0.9).",
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

    Other parameters of the step (ngram, unit, normalize, model, endpoint, ...) go with
    --set KEY=VALUE; see `ftprep steps show dedup.exact`, `dedup.minhash`, `dedup.semantic`.
    Rejects, stats and manifest are written beside DST.
    """
    params = step_params(options)
    for key in ("threshold", "scope", "field", "keep"):
        value = options.pop(key)
        if value is not None:
            params[key] = value
    if "threshold" in params and method == "exact":
        raise click.UsageError("--threshold is for --method minhash or semantic")
    echo_result(dedup(src, dst, method=method, params=params, **common_run_options(options)))


@click.command("decontaminate")
@io_options
@click.option(
    "--eval",
    "eval_files",
    multiple=True,
    required=True,
    type=click.Path(exists=True, path_type=Path),
    help="An evaluation or test file (any format); repeat for several.",
)
@click.option(
    "--method",
    type=click.Choice(["exact", "ngram", "minhash", "semantic"]),
    default="ngram",
    show_default=True,
    help="How a training record matches an eval record.",
)
@click.option(
    "--action",
    type=click.Choice(["drop", "flag"]),
    default="drop",
    show_default=True,
    help="Drop matches, or keep them with metadata.contamination.",
)
@click.option("--threshold", type=float, help="minhash: Jaccard; semantic: cosine.")
@click.option(
    "--scope",
    type=click.Choice(["conversation", "user", "assistant"]),
    help="What is compared on both sides (default: user turns).",
)
@run_options
def decontaminate_command(
    src: Path, dst: Path, eval_files: tuple[Path, ...], **options: Any
) -> None:
    """Drop (or flag) records of SRC that match a record of the --eval files, into DST.

    Each reject names the eval file and record it matched and what overlapped; the counts per
    eval file are in the stats. Other parameters (ngram, min_coverage, skip_common, model, ...)
    go with --set KEY=VALUE; see `ftprep steps show decontaminate`.
    """
    params = step_params(options)
    params["eval_files"] = [str(p.resolve()) for p in eval_files]
    for key in ("method", "action", "threshold", "scope"):
        value = options.pop(key)
        if value is not None:
            params[key] = value
    steps = [{"decontaminate": params}]
    echo_result(one_shot(src, dst, steps, **common_run_options(options)))
