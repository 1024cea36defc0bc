"""The docs test: the reference is generated from the code and current, every command, option,
finding code and format is documented, and every command line in the README and the guides names
a command and options that exist."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import click
import pytest

from ftprep.cli import cli
from ftprep.formats import FORMATS
from ftprep.steps import STEPS, describe
from ftprep.validate.codes import CODES

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
README = ROOT / "README.md"
GUIDES = sorted([DOCS / "index.md", *(DOCS / "guide").glob("*.md")])


def read(path: Path) -> str:
    assert path.is_file(), f"{path.relative_to(ROOT)} is missing"
    return path.read_text(encoding="utf-8")


def contexts(ctx: click.Context) -> list[click.Context]:
    """``ctx`` and the context of every visible command below it."""
    found = [ctx]
    if isinstance(ctx.command, click.Group):
        for name in ctx.command.list_commands(ctx):
            sub = ctx.command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                found += contexts(click.Context(sub, info_name=name, parent=ctx))
    return found


ROOT_CONTEXT = click.Context(cli, info_name="ftprep", **cli.context_settings)
COMMANDS = contexts(ROOT_CONTEXT)


def test_generated_reference_is_current() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_docs.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 0, (
        "docs/reference is stale; run: python scripts/gen_docs.py\n" + proc.stdout + proc.stderr
    )


def test_the_walk_finds_the_commands() -> None:
    paths = {ctx.command_path for ctx in COMMANDS}
    assert {"ftprep", "ftprep validate", "ftprep convert"} <= paths


@pytest.mark.parametrize("ctx", COMMANDS, ids=lambda ctx: ctx.command_path)
def test_command_has_help_and_is_in_the_reference(ctx: click.Context) -> None:
    command = ctx.command
    assert (command.help or "").strip(), f"{ctx.command_path} has no help text"
    reference = read(DOCS / "reference" / "cli.md")
    assert re.search(rf"^#+ {re.escape(ctx.command_path)}$", reference, re.MULTILINE), (
        f"{ctx.command_path} is not in docs/reference/cli.md"
    )
    for param in command.get_params(ctx):
        if isinstance(param, click.Option) and not param.hidden:
            assert (param.help or "").strip(), f"{ctx.command_path} {param.opts[0]} has no help"
            for opt in param.opts:
                assert f"{opt}" in reference, f"{ctx.command_path} {opt} is not in cli.md"


@pytest.mark.parametrize("name", list(CODES))
def test_every_code_is_in_the_codes_reference(name: str) -> None:
    assert f"`{name}`" in read(DOCS / "reference" / "codes.md")


@pytest.mark.parametrize("name", list(FORMATS))
def test_every_format_is_in_the_convert_guide(name: str) -> None:
    assert f"`{name}`" in read(DOCS / "guide" / "convert.md")
    assert f"## {name}\n" in read(DOCS / "reference" / "formats.md")


@pytest.mark.parametrize("step_id", sorted(STEPS))
def test_every_step_is_documented(step_id: str) -> None:
    info = describe(STEPS[step_id])
    assert info.summary and info.reads and info.writes and info.drops, (
        f"{step_id}: the docstring needs a summary and Reads:/Writes:/Drops: paragraphs"
    )
    for param in info.params:
        assert param.description, f"{step_id}: parameter {param.name} has no description"
    assert f"## {step_id}\n" in read(DOCS / "reference" / "steps.md")


# --- command lines in code blocks ------------------------------------------------------------

_FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def command_lines(markdown: str) -> list[str]:
    """Every ``ftprep ...`` line in the fenced code blocks (prompts ``$ `` and ``VAR=x`` removed)."""
    found = []
    for block in _FENCE.findall(markdown):
        for line in block.replace("\\\n", " ").splitlines():
            words = shell_words(line.strip().removeprefix("$ "))
            while words and _ASSIGNMENT.match(words[0]):
                words = words[1:]
            if words and words[0] == "ftprep":
                found.append(shlex.join(words))
    return found


def shell_words(line: str) -> list[str]:
    """The words of ``line`` up to the first pipe, redirection or separator; comments dropped."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    try:
        words = list(lexer)
    except ValueError:  # an unbalanced quote: not a shell line
        return []
    for i, word in enumerate(words):
        if word and all(c in "|&;<>()" for c in word):
            return words[:i]
    return words


def check_command_line(line: str) -> None:
    """Fail unless ``line`` names an existing (sub)command and only options it has."""
    ctx = ROOT_CONTEXT
    words = shlex.split(line)[1:]
    while words:
        word, words = words[0], words[1:]
        if word.startswith("-") and word != "-":
            name = word.split("=", 1)[0]
            params = {
                o: p for p in ctx.command.get_params(ctx) for o in (*p.opts, *p.secondary_opts)
            }
            assert name in params, f"{line!r}: {ctx.command_path} has no option {name}"
            option = params[name]
            takes_value = isinstance(option, click.Option) and not option.is_flag
            if takes_value and "=" not in word:
                words = words[1:]  # its value, never a subcommand
        elif isinstance(ctx.command, click.Group):
            sub = ctx.command.get_command(ctx, word)
            assert sub is not None, f"{line!r}: {ctx.command_path} has no command {word!r}"
            ctx = click.Context(sub, info_name=word, parent=ctx)


def test_readme_command_lines_name_existing_commands() -> None:
    lines = command_lines(read(README))
    assert lines, "found no ftprep command line in README.md"
    for line in lines:
        check_command_line(line)


@pytest.mark.parametrize("path", GUIDES, ids=lambda p: str(p.relative_to(DOCS)))
def test_guide_command_lines_name_existing_commands(path: Path) -> None:
    for line in command_lines(read(path)):
        check_command_line(line)


def test_the_guides_exist_and_show_commands() -> None:
    for name in ("validate", "convert", "record"):
        assert (DOCS / "guide" / f"{name}.md").is_file()
    assert command_lines(read(DOCS / "guide" / "validate.md"))
    assert command_lines(read(DOCS / "guide" / "convert.md"))


_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


@pytest.mark.parametrize(
    "path", [README, *sorted(DOCS.rglob("*.md"))], ids=lambda p: str(p.relative_to(ROOT))
)
def test_relative_links_point_at_existing_files(path: Path) -> None:
    for target in _LINK.findall(read(path)):
        if re.match(r"^[a-z]+:|^#", target):
            continue
        file = (path.parent / target.split("#", 1)[0]).resolve()
        assert file.exists(), f"{path.relative_to(ROOT)} links to missing {target}"
