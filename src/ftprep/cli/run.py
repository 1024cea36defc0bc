"""``ftprep run``, ``ftprep recipe validate|resolve``: recipes from the command line."""

from __future__ import annotations

from pathlib import Path

import click

from ftprep.cli.runs import echo_result, progress_wanted, run_options, set_option
from ftprep.engine import RunLayout, load_recipe, run


@click.command("run")
@click.argument("recipe", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False), help="Override output_dir.")
@run_options
def run_command(
    recipe: Path,
    out_dir: str | None,
    overrides: tuple[str, ...],
    workers: str | None,
    resume: bool,
    progress: bool | None,
    report: bool | None,
) -> None:
    """Run RECIPE: read its inputs, run its steps, write its outputs.

    Writes into the recipe's output_dir: the outputs, rejects.jsonl (each dropped record with the
    step, reason code and measured value), stats.json, manifest.json and report.html (the
    dataset's statistics and plots, the funnel, rejected samples, the checklist). After an interruption,
    --resume finishes the run with byte-identical output.
    """
    loaded = load_recipe(recipe, list(overrides))
    if out_dir is not None:
        loaded.output_dir = str(Path(out_dir).resolve())
    layout = RunLayout.in_folder(loaded)
    if report is False:
        layout = layout.without_report()
    result = run(
        loaded, workers=workers, resume=resume, progress=progress_wanted(progress), layout=layout
    )
    echo_result(result)


@click.group("recipe")
def recipe_group() -> None:
    """Check recipes before running them."""


@recipe_group.command("validate")
@click.argument("recipe", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@set_option
def recipe_validate(recipe: Path, overrides: tuple[str, ...]) -> None:
    """Check RECIPE against the step schemas (exit 2 with file, line, step and key if wrong)."""
    loaded = load_recipe(recipe, list(overrides))
    click.echo(f"{recipe}: ok ({len(loaded.steps)} steps)")


@recipe_group.command("resolve")
@click.argument("recipe", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@set_option
def recipe_resolve(recipe: Path, overrides: tuple[str, ...]) -> None:
    """Print RECIPE with every default filled in, as YAML."""
    click.echo(load_recipe(recipe, list(overrides)).to_yaml(), nl=False)
