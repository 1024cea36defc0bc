"""``ftprep steps list|show``: the registered steps and their parameters."""

from __future__ import annotations

import click
import orjson

from ftprep.steps import STEPS, describe, get_step


@click.group("steps")
def steps_group() -> None:
    """The steps recipes are made of."""


@steps_group.command("list")
def steps_list() -> None:
    """List every step: id, kind and what it does."""
    width = max(len(s) for s in STEPS)
    for step_id in sorted(STEPS):
        info = describe(STEPS[step_id])
        click.echo(f"{step_id:<{width}}  {info.kind:<9}  {info.headline}")


@steps_group.command("show")
@click.argument("step_id")
@click.option("--json", "as_json", is_flag=True, help="The parameters' JSON Schema.")
def steps_show(step_id: str, as_json: bool) -> None:
    """Show STEP_ID: parameters and defaults, what it reads, writes and why it drops."""
    info = describe(get_step(step_id))
    if as_json:
        click.echo(orjson.dumps(info.schema, option=orjson.OPT_INDENT_2).decode())
        return
    click.echo(f"{info.id} ({info.kind})\n\n{info.summary}\n")
    click.echo(f"reads:  {info.reads}\nwrites: {info.writes}\ndrops:  {info.drops}\n")
    click.echo("parameters:" if info.params else "parameters: none")
    for p in info.params:
        default = "required" if p.required else f"default {orjson.dumps(p.default).decode()}"
        click.echo(f"  {p.name} ({p.type}; {default})\n      {p.description}")
