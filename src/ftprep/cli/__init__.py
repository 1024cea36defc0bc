"""The ``ftprep`` command line: thin wrappers over the library, one module per command.

Subcommands load lazily: ``ftprep validate`` does not pay for importing the engine, the PII
library and every step, which matters when validate runs before each fine-tuning job and its
workers are timed against a bare JSON loop.
"""

from __future__ import annotations

import importlib
import sys

import click

from ftprep import __version__
from ftprep.cli.common import run_guarded

# name -> "module:attribute"; the order is the order of ``ftprep --help``.
COMMANDS: dict[str, str] = {
    "validate": "ftprep.cli.validate:validate_command",
    "convert": "ftprep.cli.convert:convert_command",
    "stats": "ftprep.cli.stats:stats_command",
    "report": "ftprep.cli.report:report_command",
    "review": "ftprep.cli.review:review_group",
    "collect": "ftprep.cli.collect:collect_group",
    "run": "ftprep.cli.run:run_command",
    "recipe": "ftprep.cli.run:recipe_group",
    "steps": "ftprep.cli.steps:steps_group",
    "apply": "ftprep.cli.clean:apply_command",
    "clean": "ftprep.cli.clean:clean_command",
    "pii": "ftprep.cli.clean:pii_command",
    "dedup": "ftprep.cli.dedup:dedup_command",
    "decontaminate": "ftprep.cli.dedup:decontaminate_command",
    "split": "ftprep.cli.split:split_command",
    "leakage": "ftprep.cli.leakage:leakage_command",
    "balance": "ftprep.cli.split:balance_command",
    "judge": "ftprep.cli.llm:judge_command",
    "augment": "ftprep.cli.llm:augment_command",
    "distill": "ftprep.cli.llm:distill_command",
    "generate": "ftprep.cli.llm:generate_command",
    "demo": "ftprep.cli.demo:demo_command",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def __init__(self, *args: object, lazy: dict[str, str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*self.lazy, *sorted(set(super().list_commands(ctx)) - set(self.lazy))]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = self.lazy.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        module_name, attr = target.split(":")
        command = getattr(importlib.import_module(module_name), attr)
        if not isinstance(command, click.Command):  # pragma: no cover - a wiring mistake
            raise TypeError(f"{target} is not a click command")
        return command


@click.group(
    cls=LazyGroup,
    lazy=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="ftprep")
def cli() -> None:
    """Prepare clean, validated datasets for fine-tuning LLMs."""


def main() -> None:
    sys.exit(run_guarded(cli))
