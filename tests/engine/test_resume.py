"""``kill -9`` at any moment, then ``--resume``: the output is byte-identical to a clean run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ftprep.demo import generate_messy_chats

DRIVER = '''
import sys, time
from typing import ClassVar
from ftprep.cli import main
from ftprep.steps import STEPS, TransformStep

class SlowStep(TransformStep):
    """Sleep a little per record, so that a run can be killed in the middle.

    Reads: nothing. Writes: nothing. Drops: nothing.
    """
    id: ClassVar[str] = "test.slow"
    def transform(self, record):
        time.sleep(0.0004)
        return record

STEPS[SlowStep.id] = SlowStep
main()
'''

RECIPE = """\
version: 1
inputs: [{src}]
output_dir: out
outputs: [train.jsonl, {{path: train.parquet}}]
options: {{chunk_size: 150}}
steps:
  - test.slow
  - filter.length: {{max: 3000}}
  - dedup.exact
  - test.slow
  - filter.length: {{min: 10}}
"""

OUTPUTS = ("train.jsonl", "train.parquet", "rejects.jsonl")


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("resume")
    src = root / "messy.jsonl"
    generate_messy_chats(src, n=3000, seed=5)
    (root / "driver.py").write_text(DRIVER)
    return root


def start(folder: Path, root: Path, *extra: str) -> subprocess.Popen[bytes]:
    folder.mkdir(exist_ok=True)
    recipe = folder / "recipe.yaml"
    recipe.write_text(RECIPE.format(src=root / "messy.jsonl"))
    cmd = [sys.executable, str(root / "driver.py"), "run", str(recipe), "--no-progress", *extra]
    return subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )


def finish(proc: subprocess.Popen[bytes]) -> None:
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, (out + err).decode()


def kill_when(proc: subprocess.Popen[bytes], work: Path, pattern: str, count: int) -> bool:
    """SIGKILL the run's whole process group once ``count`` files match; False if it ended first."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        if work.exists() and len(list(work.glob(pattern))) >= count:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return True
        time.sleep(0.002)
    raise AssertionError("the run neither progressed nor ended")


@pytest.mark.slow
def test_kill_then_resume_is_byte_identical(setup: Path) -> None:
    clean = setup / "clean"
    finish(start(clean, setup, "--workers", "2"))
    expected = [(clean / "out" / name).read_bytes() for name in OUTPUTS]
    # kill points: early in the first segment, mid second segment, and a resume that is killed too
    points = [("s00/*.json", 2), ("s01/*.json", 5), ("s00/*.json", 12)]
    for n, (pattern, count) in enumerate(points):
        folder = setup / f"killed{n}"
        proc = start(folder, setup, "--workers", "2")
        work = folder / "out" / ".ftprep-work"
        assert kill_when(proc, work, pattern, count), "the run ended before it could be killed"
        assert not (folder / "out" / "manifest.json").exists()
        # what a kill while the outputs are joined and written leaves (this kill may have come
        # before the first join began)
        for name in (
            ".train.jsonl.join.tmp",
            ".rejects.jsonl.join.tmp",
            ".train.parquet.0a1b2c3d4e5f.tmp",
        ):
            (folder / "out" / name).write_bytes(b"half a file")
        if n == 2:  # kill the resumed run as well, later on
            proc = start(folder, setup, "--workers", "1", "--resume")
            assert kill_when(proc, work, "s01/*.json", 3)
        proc = start(folder, setup, "--workers", "1", "--resume")
        out, _ = proc.communicate(timeout=300)
        assert proc.returncode == 0
        assert b"reused" in out
        assert [(folder / "out" / name).read_bytes() for name in OUTPUTS] == expected
        assert not hidden(folder / "out"), "the killed run's temporary files were left"


def hidden(out: Path) -> list[str]:
    """The hidden files of a run's output folder but its work folder: temporaries."""
    return sorted(
        p.name for p in out.iterdir() if p.name.startswith(".") and p.name != ".ftprep-work"
    )


def test_resume_refuses_a_changed_recipe(setup: Path, tmp_path: Path) -> None:
    from ftprep.engine import load_recipe, run
    from ftprep.errors import FtprepError

    folder = tmp_path / "changed"
    proc = start(folder, setup, "--workers", "1")
    work = folder / "out" / ".ftprep-work"
    assert kill_when(proc, work, "s00/*.json", 1)
    text = (folder / "recipe.yaml").read_text().replace("max: 3000", "max: 2000")
    text = text.replace("  - test.slow\n", "")
    (folder / "recipe.yaml").write_text(text)
    with pytest.raises(FtprepError, match="cannot resume: the recipe or its inputs changed"):
        run(load_recipe(folder / "recipe.yaml"), resume=True)
