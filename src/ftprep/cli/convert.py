"""``ftprep convert``: from any supported format to another, streaming, nothing lost."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ftprep.cli.common import input_options, mapping_from
from ftprep.convert import CONTAINER_TARGETS, convert
from ftprep.formats import WRITABLE
from ftprep.io import CONTAINERS


@click.command("convert")
@click.argument("src", type=click.Path(exists=True, path_type=Path))
@click.argument("dst", type=click.Path(path_type=Path))
@click.option(
    "--to",
    type=click.Choice([*WRITABLE, *CONTAINER_TARGETS]),
    default="openai",
    show_default=True,
    help="Output format (parquet/hf: OpenAI-shaped rows in that container).",
)
@click.option(
    "--out-container",
    type=click.Choice(list(CONTAINERS)),
    help="Output file kind (default: from DST's extension).",
)
@click.option(
    "--rejects",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Rejects file (default: DST's name with .rejects.jsonl).",
)
@click.option(
    "--strict", is_flag=True, help="Stop at the first record that cannot be read or converted."
)
@input_options
def convert_command(src: Path, dst: Path, maps: tuple[str, ...], **options: Any) -> None:
    """Convert SRC to DST in another fine-tuning format.

    Keeps what the target can hold and counts, per field, what it cannot. Rows that cannot be read
    and records the target cannot represent go to the rejects file with the reason.
    """
    mapping = mapping_from(maps, options.get("fmt"))
    result = convert(src, dst, mapping=mapping, **options)
    click.echo(
        f"{result.input} ({result.input_format}) -> {result.output} ({result.output_format})\n"
        f"read {result.read:,} = written {result.written:,} + rejected {result.rejected:,}"
    )
    for code, n in sorted(result.reject_reasons.items()):
        click.echo(f"  rejected {n:,}: {code}")
    if result.rejects_path:
        click.echo(f"rejects: {result.rejects_path}")
    if result.losses:
        click.echo("not representable in the target (kept out, counted per field):")
        for name, n in result.losses.most_common():
            click.echo(f"  {name}: {n:,}")
