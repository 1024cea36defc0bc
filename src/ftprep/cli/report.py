"""``ftprep report``: the HTML report of a run folder, or of any dataset file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ftprep.cli.common import input_options, open_input


@click.command("report")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@input_options
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write (default: report.html in a run folder, FILE.report.html beside a file).",
)
@click.option("--tokenizer", help="tokenizer.json, a model directory, or tiktoken:NAME.")
@click.option("--target", help="Whose context limit examples are held to (openai, axolotl...).")
def report_command(path: Path, out: Path | None, **options: Any) -> None:
    """Write the HTML report of PATH: a run's output folder (its stats.json, rejects.jsonl and
    manifest.json; a one-shot command's OUT.stats.json works too) or a dataset file.

    One self-contained page, no network needed to view it: the warnings, the funnel of records
    through the steps, plots of the dataset, samples of rejected records, the checklist.
    """
    import orjson

    from ftprep.engine.files import write_atomic
    from ftprep.reading import records_of
    from ftprep.report.html import render_report, sample_rejects
    from ftprep.stats import dataset_stats, warnings_for
    from ftprep.validate import validate

    stats_file = path / "stats.json" if path.is_dir() else path
    if stats_file.name.endswith("stats.json") and stats_file.is_file():
        run = orjson.loads(stats_file.read_bytes())
        stem = stats_file.name[: -len("stats.json")]
        rejects = stats_file.with_name(f"{stem}rejects.jsonl")
        manifest_file = stats_file.with_name(f"{stem}manifest.json")
        manifest = orjson.loads(manifest_file.read_bytes()) if manifest_file.exists() else {}
        steps = [s["step"] for s in manifest.get("recipe", {}).get("steps", [])] or None
        target = out or stats_file.with_name(f"{stem}report.html")
        page = render_report(
            title=f"ftprep report: {stats_file.parent.name}",
            run=run,
            dataset=run.get("dataset"),
            rejected=sample_rejects(rejects),
            recipe_steps=steps,
        )
    else:
        source = open_input(path, options)
        records = records_of(source)
        dataset = dataset_stats(records, tokenizer=options["tokenizer"], target=options["target"])
        dataset["warnings"] = warnings_for(dataset)
        errors = validate(path).errors if source.format.name == "openai" else None
        target = out or path.with_name(path.name + ".report.html")
        page = render_report(
            title=f"ftprep report: {path.name}", dataset=dataset, validation_errors=errors
        )
    write_atomic(target, page.encode())
    click.echo(f"report: {target}")
