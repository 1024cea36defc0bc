"""``ftprep review``: a page of examples for people to rate, and their ratings brought back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ftprep.cli.common import input_options, open_input, to_option
from ftprep.cli.runs import echo_result, progress_wanted, run_options
from ftprep.formats import FORMATS


@click.group("review")
def review_group() -> None:
    """Human spot-checks: sample a review page, import the ratings."""


@review_group.command("sample")
@click.argument("src", type=click.Path(exists=True, path_type=Path))
@click.argument("dst", type=click.Path(dir_okay=False, path_type=Path))
@input_options
@click.option("--n", "n", type=int, default=50, show_default=True, help="Examples on the page.")
@click.option("--stratify", help="Spread the sample over this field, e.g. metadata.category.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the sample.")
@click.option("--title", help="The page's title (default: from SRC's name).")
def sample_command(src: Path, dst: Path, n: int, stratify: str | None, seed: int,
                   title: str | None, **options: Any) -> None:  # fmt: skip
    """Write DST, a review page of N examples of SRC, drawn at random (seeded) and spread over
    --stratify's values. Open it in a browser, rate, flag, note, export the answers as JSON or
    CSV; bring them back with `ftprep review import`."""
    from ftprep.engine.files import write_atomic
    from ftprep.reading import records_of
    from ftprep.report.review import render_review_page, review_sample

    source = open_input(src, options)
    records = records_of(source)
    chosen = review_sample(records, n, stratify=stratify, seed=seed)
    page_id = f"{src.name}:{seed}:{n}:{stratify or ''}"
    page = render_review_page(chosen, title=title or f"Review: {src.name}", page_id=page_id,
                              stratify=stratify)  # fmt: skip
    write_atomic(dst, page.encode())
    click.echo(f"{len(chosen):,} examples to review: {dst}")


@review_group.command("import")
@click.argument("src", type=click.Path(exists=True, path_type=Path))
@click.argument("dst", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--reviews",
    "reviews",
    multiple=True,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="An export of the review page (JSON or CSV); repeat for several reviewers.",
)
@click.option("--min-rating", type=float, help="Drop reviewed records rated lower on average.")
@click.option("--keep-flagged", is_flag=True, help="Keep flagged records (tagged only).")
@click.option("--only-reviewed", is_flag=True, help="Drop the records nobody reviewed.")
@click.option(
    "--from", "fmt", type=click.Choice(list(FORMATS)), help="Input format (default: detected)."
)
@to_option
@run_options
def import_command(src: Path, dst: Path, reviews: tuple[Path, ...], **options: Any) -> None:
    """Write SRC into DST with the reviewers' ratings in metadata.review, dropping (to DST's
    rejects) what was flagged or rated under --min-rating. With several reviewers, prints how
    far they agree (percent agreement, Krippendorff's alpha)."""
    from ftprep.jobs import apply
    from ftprep.report.review import load_reviews

    loaded = load_reviews(reviews)
    agreement = loaded.agreement()
    click.echo(
        f"{len(loaded.by_key):,} records reviewed by {len(loaded.reviewers)} reviewer(s)"
        + (
            f"; on {agreement['items']:,} items rated by several: "
            f"{agreement['percent_agreement']:.0%} exact agreement, Krippendorff's alpha "
            f"(ordinal) {agreement['krippendorff_alpha_ordinal']:.3f}"
            if agreement
            else ""
        )
    )
    params: dict[str, Any] = {
        "reviews": [str(p.resolve()) for p in reviews],
        "drop_flagged": not options.pop("keep_flagged"),
        "only_reviewed": options.pop("only_reviewed"),
    }
    if (minimum := options.pop("min_rating")) is not None:
        params["min_rating"] = minimum
    result = apply(
        "review.ratings",
        src,
        dst,
        params,
        overrides=list(options["overrides"]),
        workers=options["workers"],
        resume=options["resume"],
        progress=progress_wanted(options["progress"]),
        report=bool(options["report"]),
        fmt=options["fmt"],
        to=options["to"],
    )
    echo_result(result)
