"""The examples of the guides are real: each ``console`` block is run again on the inputs
``docs/examples/make_examples.py`` writes, and each ``python`` block followed by a ``text`` block
is run and its output compared.

Pasted output may be trimmed: a line ``...`` skips any number of lines, and ``...`` inside a line
stands for any text. Every other pasted line must appear in the real output, in order. Commands
that count with the toy tokenizer (``my-model``) are run but their counts are not compared: they
depend on the version of ``tokenizers`` that trained it.
"""

from __future__ import annotations

import itertools
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUIDES = sorted((ROOT / "docs" / "guide").glob("*.md"))
MAKE_EXAMPLES = ROOT / "docs" / "examples" / "make_examples.py"
FTPREP = [
    sys.executable,
    "-c",
    "import sys; sys.argv[0] = 'ftprep'; from ftprep.cli import main; main()",
]
#: inputs make_examples.py writes only when an extra is installed
OPTIONAL_INPUTS = ("my-model", "hf-alpaca")
#: inputs whose outputs are not compared (see the module docstring)
VOLATILE = ("my-model",)

_FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.MULTILINE | re.DOTALL)


@dataclass
class Step:
    command: str
    expected: list[str] = field(default_factory=list)


def console_steps(markdown: str) -> list[Step]:
    steps: list[Step] = []
    for lang, body in _FENCE.findall(markdown):
        if lang != "console":
            continue
        for line in body.splitlines():
            if line.startswith("$ "):
                steps.append(Step(line[2:]))
            elif steps:
                steps[-1].expected.append(line)
    return steps


def python_examples(markdown: str) -> list[tuple[str, str]]:
    """(code, output) for every ``python`` block followed at once by a ``text`` block."""
    pairs = []
    for first, second in itertools.pairwise(_FENCE.finditer(markdown)):
        adjacent = not markdown[first.end() : second.start()].strip()
        if first.group(1) == "python" and second.group(1) == "text" and adjacent:
            pairs.append((first.group(2), second.group(2)))
    return pairs


def assert_shown(expected: list[str], actual: str, what: str) -> None:
    """Every pasted line appears in ``actual`` in order; ``...`` skips, or stands for any text."""
    lines = [line.rstrip() for line in actual.splitlines()]
    at = 0
    for want in (w.rstrip() for w in expected):
        if want.strip() == "...":
            continue
        pattern = re.compile(".*".join(re.escape(part) for part in want.split("...")) + r"\Z")
        found = next((i for i in range(at, len(lines)) if pattern.match(lines[i])), None)
        assert found is not None, f"{what}: the docs show\n  {want}\nnot found in:\n{actual}"
        at = found + 1


@pytest.fixture(scope="module")
def example_inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("example-inputs")
    subprocess.run([sys.executable, str(MAKE_EXAMPLES), str(out)], check=True, timeout=300)
    return out


@pytest.fixture
def examples(example_inputs: Path, tmp_path: Path) -> Path:
    """A fresh copy of the inputs for each test: the examples write files beside them."""
    return Path(shutil.copytree(example_inputs, tmp_path / "examples"))


def run_step(step: Step, cwd: Path, last_status: int) -> tuple[str, int]:
    words = shlex.split(step.command)
    env = dict(os.environ)
    while words and re.match(r"^[A-Za-z_]\w*=", words[0]):
        key, _, value = words.pop(0).partition("=")
        env[key] = value
    quiet = words[-2:] == [">", "/dev/null"]
    if quiet:
        words = words[:-2]
    name, args = words[0], words[1:]
    if name == "ftprep":
        proc = subprocess.run(
            FTPREP + args,
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=300,
        )
        return ("" if quiet else proc.stdout), proc.returncode
    if name == "cat" and len(args) == 1:
        return (cwd / args[0]).read_text(encoding="utf-8"), 0
    if name == "head" and len(args) == 3 and args[0] == "-n":
        text = (cwd / args[2]).read_text(encoding="utf-8")
        return "\n".join(text.splitlines()[: int(args[1])]), 0
    if words == ["echo", "$?"]:
        return f"{last_status}\n", 0
    raise AssertionError(f"the docs test cannot run {step.command!r}: use ftprep, cat or head")


def needs_missing_input(command: str, cwd: Path) -> bool:
    return any(name in command and not (cwd / name).exists() for name in OPTIONAL_INPUTS)


@pytest.mark.parametrize("guide", GUIDES, ids=lambda p: p.name)
def test_console_examples_are_real(guide: Path, examples: Path) -> None:
    status = 0
    for step in console_steps(guide.read_text(encoding="utf-8")):
        if needs_missing_input(step.command, examples):
            continue
        output, status = run_step(step, examples, status)
        if not any(name in step.command for name in VOLATILE):
            assert_shown(step.expected, output, f"{guide.name}: $ {step.command}")


@pytest.mark.parametrize("guide", GUIDES, ids=lambda p: p.name)
def test_python_examples_are_real(guide: Path, examples: Path) -> None:
    for code, output in python_examples(guide.read_text(encoding="utf-8")):
        proc = subprocess.run(
            [sys.executable, "-c", code],
            cwd=examples,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert proc.returncode == 0, f"{guide.name}: example failed:\n{code}\n{proc.stderr}"
        assert_shown(output.splitlines(), proc.stdout, f"{guide.name}: python example")


def test_the_guides_have_examples_to_check() -> None:
    text = {p.stem: p.read_text(encoding="utf-8") for p in GUIDES}
    assert len(console_steps(text["validate"])) >= 10
    assert len(console_steps(text["convert"])) >= 10
    assert len(python_examples(text["record"])) >= 5
