"""``ftprep demo``: generate messy production chat logs and run the demo recipe over them."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import click

from ftprep.cli.runs import echo_result, progress_wanted
from ftprep.demo import generate_messy_chats
from ftprep.demo.helpdesk import write_helpdesk_export
from ftprep.engine import load_recipe, run
from ftprep.validate import render_text, validate


@click.command("demo")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo-output"),
    show_default=True,
    help="Folder for everything the demo writes.",
)
@click.option("-n", "--records", default=1000, show_default=True, help="Records to generate.")
@click.option("--seed", default=0, show_default=True, help="Random seed of the generator.")
@click.option("--workers", default=None, metavar="N|auto", help="Worker processes of the run.")
def demo_command(out_dir: Path, records: int, seed: int, workers: str | None) -> None:
    """Run the demo end to end on generated data: generate, validate, clean, validate again.

    Writes messy support-chat logs with planted defects and PII and a helpdesk's message
    export, shows what `ftprep validate` finds, runs the demo recipe (collect conversations
    from the export, normalize, validate, quality filters, dedup, PII pseudonymization) and
    validates the result.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    raw = out_dir / "messy_chats.jsonl"
    planted = generate_messy_chats(raw, n=records, seed=seed)
    click.echo(f"1. generated {records:,} support chats with {len(planted)} planted defects: {raw}")
    export = out_dir / "helpdesk_export.csv"
    rows = write_helpdesk_export(export, tickets=max(records // 4, 1), seed=seed)
    click.echo(
        f"   and a helpdesk's message export, one row per message ({rows:,} rows), for the "
        f"recipe to collect conversations from: {export}"
    )
    findings = out_dir / "findings.jsonl"
    with findings.open("wb") as sink:
        before = validate(raw, findings_out=sink)
    click.echo(
        f"\n2. validate the raw logs: {before.errors:,} errors and {before.warnings:,} warnings "
        f"in {before.findings.records_with_errors:,} records (every finding: {findings})"
    )
    recipe_path = out_dir / "recipe.yaml"
    with resources.as_file(resources.files("ftprep.demo") / "recipe.yaml") as packaged:
        shutil.copyfile(packaged, recipe_path)
    click.echo(f"\n3. run the recipe {recipe_path}\n")
    result = run(load_recipe(recipe_path), workers=workers, progress=progress_wanted(None))
    echo_result(result)
    after = validate(result.outputs[0])
    click.echo("\n4. validate the cleaned dataset\n")
    click.echo(render_text(after, examples=1))
    click.echo(
        f"\nwhy each of the {result.rejected:,} dropped records was dropped: {result.rejects}\n"
        f"run it again, or edit it: ftprep run {recipe_path}"
    )
