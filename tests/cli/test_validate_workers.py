"""``ftprep validate --workers``: the same output, files and exit status whatever the number."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import ftprep.io.jsonl as jsonl
from ftprep.cli import cli
from ftprep.cli.common import run_guarded
from ftprep.demo import generate_messy_chats
from ftprep.validate import parallel


def run(*args: str) -> tuple[int, str]:
    runner = CliRunner()
    old = sys.argv
    sys.argv = ["ftprep", *args]
    try:
        with runner.isolation() as (out, err, _):
            code = run_guarded(cli)
            return code, out.getvalue().decode() + err.getvalue().decode()
    finally:
        sys.argv = old


@pytest.fixture
def messy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(parallel, "MIN_RANGE_BYTES", 1)
    monkeypatch.setattr(jsonl, "CHUNK_SIZE", 8192)
    path = tmp_path / "messy.jsonl"
    generate_messy_chats(path, n=800, seed=5)
    return path


@pytest.mark.parametrize("extra", [(), ("--json",), ("--json", "--no-tokens")])
def test_output_and_findings_file_do_not_depend_on_workers(
    messy: Path, tmp_path: Path, extra: tuple[str, ...]
) -> None:
    results = []
    for workers in ("1", "2", "3", "auto"):
        findings = tmp_path / f"findings-{workers}.jsonl"
        code, out = run(
            "validate", str(messy), "--workers", workers, "--findings", str(findings), *extra
        )
        results.append((code, out, findings.read_bytes()))
    assert all(r == results[0] for r in results[1:])
    code, out, findings = results[0]
    assert code == 1 and "invalid_json" in out and findings.count(b"\n") > 50


def test_strict_gives_the_same_first_error(messy: Path) -> None:
    one = run("validate", str(messy), "--strict", "--workers", "1")
    three = run("validate", str(messy), "--strict", "--workers", "3")
    assert one == three and one[0] == 1 and "error [" in one[1]


@pytest.mark.parametrize("bad", ["0", "-2", "two", ""])
def test_workers_must_be_a_positive_number_or_auto(messy: Path, bad: str) -> None:
    code, out = run("validate", str(messy), "--workers", bad)
    assert code == 2 and "--workers" in out
