"""Options shared by several commands, and the error boundary of the CLI."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ftprep.errors import FtprepError
from ftprep.formats import FORMATS, WRITABLE, ColumnMapping
from ftprep.io import CONTAINERS

if TYPE_CHECKING:
    from ftprep.reading import Source

#: exit status when the command itself could not run (bad option, unreadable file)
EXIT_USAGE = 2


def input_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--from, --container, --map, --dataset-info, --dataset: how to read the input."""
    options = [
        click.option(
            "--from",
            "fmt",
            type=click.Choice(list(FORMATS)),
            help="Input format (default: detected).",
        ),
        click.option(
            "--container",
            type=click.Choice(list(CONTAINERS)),
            help="Input file kind (default: detected).",
        ),
        click.option(
            "--map",
            "maps",
            multiple=True,
            metavar="KEY=COLUMN",
            help="Column mapping for a custom schema, e.g. --map prompt=question,response=answer "
            "or --map messages=dialog,role_tag=speaker,user_tag=customer,assistant_tag=agent.",
        ),
        click.option(
            "--dataset-info",
            type=click.Path(exists=True, dir_okay=False),
            help="A LLaMA-Factory dataset_info.json to take the mapping from.",
        ),
        click.option(
            "--dataset",
            help="The dataset_info.json entry to use (default: the one whose file_name matches).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def comma_list(value: str) -> list[str]:
    """The items of a comma-separated option, stripped, empty ones left out."""
    return [item.strip() for item in value.split(",") if item.strip()]


def mapping_from(maps: tuple[str, ...], fmt: str | None) -> ColumnMapping | None:
    if not maps:
        return None
    return ColumnMapping.from_options(list(maps), formatting=fmt)


def run_guarded(command: click.Command) -> int:
    """Run the click command; turn ftprep's own errors into a message and exit status 2."""
    try:
        # without standalone mode click returns the status of ctx.exit()/Exit instead of raising
        status = command.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except FtprepError as exc:
        click.echo(f"error: {exc}", err=True)
        return EXIT_USAGE
    except (BrokenPipeError, KeyboardInterrupt):
        return 130
    return status if isinstance(status, int) else 0


#: ``--to FORMAT``: the output format of the commands that write records
to_option = click.option(
    "--to",
    type=click.Choice(list(WRITABLE)),
    default="openai",
    show_default=True,
    help="Output format.",
)


def open_input(src: Path, options: dict[str, Any]) -> Source:
    """SRC opened as :func:`input_options` say (their values are taken out of ``options``)."""
    from ftprep.reading import open_source

    mapping = mapping_from(options.pop("maps"), options["fmt"])
    return open_source(
        src,
        fmt=None if mapping else options.pop("fmt"),
        container=options.pop("container"),
        mapping=mapping,
        dataset_info=options.pop("dataset_info"),
        dataset=options.pop("dataset"),
    )
