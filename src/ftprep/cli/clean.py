"""``ftprep apply``, ``ftprep clean`` and ``ftprep pii``: one-shot jobs over one file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import yaml

from ftprep.cli.common import comma_list, to_option
from ftprep.cli.runs import echo_result, progress_wanted, run_options
from ftprep.engine.presets import CLEAN_GROUPS
from ftprep.engine.yamlfile import parse_scalar
from ftprep.formats import FORMATS
from ftprep.jobs import apply, build_one_shot, clean, redact_pii

PII_MODES = ("redact", "mask", "hash", "pseudonymize", "drop")


def io_options(func: Any) -> Any:
    func = to_option(func)
    func = click.option(
        "--from", "fmt", type=click.Choice(list(FORMATS)), help="Input format (default: detected)."
    )(func)
    func = click.argument("dst", type=click.Path(dir_okay=False, path_type=Path))(func)
    return click.argument("src", type=click.Path(exists=True, path_type=Path))(func)


def common_run_options(options: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments of a one-shot job from the options of :func:`run_options`."""
    return {
        "overrides": list(options["overrides"]),
        "workers": options["workers"],
        "resume": options["resume"],
        "progress": progress_wanted(options["progress"]),
        "report": bool(options["report"]),
        "fmt": options["fmt"],
        "to": options["to"],
    }


@click.command("apply")
@click.argument("step_id")
@io_options
@run_options
def apply_command(step_id: str, src: Path, dst: Path, **options: Any) -> None:
    """Run one registered step STEP_ID over SRC into DST (parameters with --set KEY=VALUE).

    Rejects, stats and manifest are written beside DST.
    """
    params = step_params(options)
    echo_result(apply(step_id, src, dst, params, **common_run_options(options)))


def step_params(options: dict[str, Any]) -> dict[str, Any]:
    """Take the ``--set KEY=VALUE`` items without a dot out of ``options``: the parameters of
    the one step a command runs (dotted ones stay recipe overrides, such as options.KEY)."""
    params: dict[str, Any] = {}
    rest = []
    for item in options["overrides"]:
        key, sep, value = item.partition("=")
        if sep and "." not in key:
            params[key] = parse_scalar(value)
        else:
            rest.append(item)
    options["overrides"] = rest
    return params


@click.command("clean")
@io_options
@click.option("--no-normalize", is_flag=True, help="Skip unicode and whitespace normalization.")
@click.option("--no-filters", is_flag=True, help="Skip the quality filters.")
@click.option("--no-pii", is_flag=True, help="Skip PII redaction.")
@click.option("--no-dedup", is_flag=True, help="Skip exact deduplication.")
@click.option("--skip", "skip_steps", multiple=True, metavar="STEP_ID", help="Skip one step.")
@click.option("--print-recipe", is_flag=True, help="Print the recipe this would run, and stop.")
@run_options
def clean_command(src: Path, dst: Path, **options: Any) -> None:
    """Clean SRC into DST with the default preset.

    Normalization (unicode repair, whitespace), quality filters (length, placeholders, refusals,
    error replies, unseen context, repetition, truncation), PII redaction and exact dedup, each
    switchable. Rejects, stats and manifest are written beside DST.
    """
    groups = {g for g in CLEAN_GROUPS if options.pop(f"no_{g}")}
    skip = set(options.pop("skip_steps"))
    if options.pop("print_recipe"):
        from ftprep.engine.presets import clean_steps

        recipe = build_one_shot(
            src,
            dst,
            clean_steps(groups, skip),
            overrides=list(options["overrides"]),
            fmt=options["fmt"],
            to=options["to"],
        )
        click.echo(yaml.safe_dump(recipe.resolved(), sort_keys=False), nl=False)
        return
    echo_result(clean(src, dst, skip_groups=groups, skip_steps=skip, **common_run_options(options)))


@click.command("pii")
@io_options
@click.option(
    "--mode",
    type=click.Choice(PII_MODES),
    default="redact",
    show_default=True,
    help="What to do with each PII span (drop: drop the record).",
)
@click.option(
    "--types", help="Comma-separated PII types (default: all; see `ftprep steps show pii.redact`)."
)
@run_options
def pii_command(src: Path, dst: Path, mode: str, types: str | None, **options: Any) -> None:
    """Find PII in every turn of SRC and redact, mask, hash or pseudonymize it into DST."""
    wanted = comma_list(types) if types else None
    echo_result(redact_pii(src, dst, mode=mode, types=wanted, **common_run_options(options)))
