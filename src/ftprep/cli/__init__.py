"""The ``ftprep`` command line: thin wrappers over the library, one module per command."""

from __future__ import annotations

import sys

import click

from ftprep import __version__
from ftprep.cli.clean import apply_command, clean_command, pii_command
from ftprep.cli.common import run_guarded
from ftprep.cli.convert import convert_command
from ftprep.cli.demo import demo_command
from ftprep.cli.run import recipe_group, run_command
from ftprep.cli.steps import steps_group
from ftprep.cli.validate import validate_command


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="ftprep")
def cli() -> None:
    """Prepare clean, validated datasets for fine-tuning LLMs."""


cli.add_command(validate_command)
cli.add_command(convert_command)
cli.add_command(run_command)
cli.add_command(recipe_group)
cli.add_command(steps_group)
cli.add_command(apply_command)
cli.add_command(clean_command)
cli.add_command(pii_command)
cli.add_command(demo_command)


def main() -> None:
    sys.exit(run_guarded(cli))
