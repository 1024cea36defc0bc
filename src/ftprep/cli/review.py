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


@review_group.command("serve")
@click.argument("dataset", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("review.sqlite"),
    show_default=True,
    help="The project's SQLite file (made on first use).",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=int, default=8765, show_default=True, help="Port to listen on.")
@click.option("--per-item", type=int, help="Annotators per item (3 when the project is made).")
@click.option("--rubric", help="Comma-separated criteria rated 1-5 (default: the GREAT ones).")
@click.option(
    "--threshold",
    type=float,
    default=0.8,
    show_default=True,
    help="Agreement on accept/reject below which an item goes to a reviewer.",
)
@click.option("--secure-cookies", is_flag=True, help="Send cookies over HTTPS only (behind TLS).")
def serve_command(dataset: Path, db: Path, host: str, port: int, per_item: int | None,
                  rubric: str | None, threshold: float, secure_cookies: bool) -> None:  # fmt: skip
    """Serve DATASET for annotation: each item goes to --per-item annotators (balanced), who
    rate it on the rubric, accept or reject, flag, note and edit the reply; reviewers see the
    agreement dashboard and adjudicate disagreements; admins export. Users come from
    `ftprep review user add`."""
    from ftprep.cli.common import comma_list
    from ftprep.reading import open_source, records_of
    from ftprep.reviewapp.app import create_app
    from ftprep.reviewapp.store import Store

    store = Store(db)
    if per_item is not None:
        store.set_setting("per_item", per_item)
    if rubric:
        store.set_setting("rubric", comma_list(rubric))
    added = store.load_items(records_of(open_source(dataset)))
    assigned = store.assign()
    click.echo(f"{added:,} new items, {assigned:,} new assignments; serving http://{host}:{port}/")
    try:
        from waitress import serve
    except ImportError:
        from ftprep.errors import MissingExtraError

        raise MissingExtraError("ftprep review serve", "review", "waitress") from None
    serve(create_app(store, threshold=threshold, secure_cookies=secure_cookies), host=host,
          port=port, threads=8)  # fmt: skip


@review_group.group("user")
def user_group() -> None:
    """The review app's accounts."""


@user_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["annotator", "reviewer", "admin"]), required=True,
              help="annotator: rates assigned items; reviewer: dashboard and adjudication; "
              "admin: all that, and exports.")  # fmt: skip
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default=Path("review.sqlite"),
              show_default=True, help="The project's SQLite file.")  # fmt: skip
@click.password_option(envvar="FTPREP_REVIEW_PASSWORD", help="The password (or the variable "
                       "FTPREP_REVIEW_PASSWORD); at least 8 characters.")  # fmt: skip
def user_add_command(name: str, role: str, db: Path, password: str) -> None:
    """Add the user NAME (or change their role and password). New annotators get items when
    the app next starts."""
    from ftprep.reviewapp.store import Store

    Store(db).add_user(name, role, password)
    click.echo(f"{name}: {role}")


@review_group.command("export")
@click.argument("dst", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--db", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=Path("review.sqlite"), show_default=True, help="The project's SQLite file.")  # fmt: skip
@click.option(
    "--threshold",
    type=float,
    default=0.8,
    show_default=True,
    help="Agreement on accept/reject that accepts an item without a reviewer.",
)
def export_command(dst: Path, db: Path, threshold: float) -> None:
    """Write the accepted records (edits applied, metadata.review_app) to DST as OpenAI JSONL,
    and every answer to DST.ratings.jsonl; DST is a recipe input like any other."""
    import orjson

    from ftprep.engine.files import write_atomic
    from ftprep.reviewapp.results import export
    from ftprep.reviewapp.store import Store

    records, ratings = export(Store(db), threshold)
    write_atomic(dst, b"".join(orjson.dumps(r) + b"\n" for r in records))
    ratings_file = dst.with_name(dst.name + ".ratings.jsonl")
    write_atomic(ratings_file, b"".join(orjson.dumps(r) + b"\n" for r in ratings))
    click.echo(
        f"{len(records):,} accepted records: {dst}; {len(ratings):,} answers: {ratings_file}"
    )
