"""Local Hub dataset repositories, streamed through ``datasets``."""

from __future__ import annotations

import builtins
from pathlib import Path
from typing import Any

import orjson
import pytest

from ftprep.errors import FormatError, MissingExtraError
from ftprep.io import detect_container, iter_rows, open_writer
from ftprep.io.hubrepo import is_hub_repo

pytest.importorskip("datasets")

CARD = """---
configs:
- config_name: default
  data_files:
  - split: train
    path: data/train-*.jsonl
  - split: test
    path: data/test.jsonl
---
# Support chats
"""


def repo(root: Path) -> Path:
    (root / "data").mkdir(parents=True)
    (root / "README.md").write_text(CARD)
    rows = [{"instruction": f"Q{i}", "output": f"A{i}"} for i in range(5)]
    (root / "data" / "train-00000-of-00002.jsonl").write_bytes(
        b"".join(orjson.dumps(r) + b"\n" for r in rows[:3])
    )
    (root / "data" / "train-00001-of-00002.jsonl").write_bytes(
        b"".join(orjson.dumps(r) + b"\n" for r in rows[3:])
    )
    (root / "data" / "test.jsonl").write_text('{"instruction": "Qt", "output": "At"}\n')
    return root


def test_a_repository_streams_every_split_with_its_name(tmp_path: Path) -> None:
    root = repo(tmp_path / "support-chats")
    assert detect_container(root) == "hub" and is_hub_repo(root)
    rows = list(iter_rows(root))
    assert [(r.split, r.line, r.value["instruction"]) for r in rows] == [
        ("train", 1, "Q0"), ("train", 2, "Q1"), ("train", 3, "Q2"), ("train", 4, "Q3"),
        ("train", 5, "Q4"), ("test", 1, "Qt"),
    ]  # fmt: skip


def test_a_repository_without_a_card_is_found_by_its_data_folder(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    (root / "data").mkdir(parents=True)
    (root / "data" / "train.jsonl").write_text('{"text": "hello"}\n')
    assert detect_container(root) == "hub"
    assert [r.value for r in iter_rows(root)] == [{"text": "hello"}]


def test_a_repository_converts_and_collects(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from ftprep.cli import cli

    root = repo(tmp_path / "r")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(cli, ["convert", str(root), str(out)])
    assert result.exit_code == 0, result.output
    kept = [orjson.loads(x) for x in out.read_bytes().splitlines()]
    assert [r["metadata"]["split"] for r in kept] == ["train"] * 5 + ["test"]
    logs = tmp_path / "logs.jsonl"
    result = CliRunner().invoke(
        cli,
        ["collect", "logs", str(root), str(logs), "--prompt-field", "instruction",
         "--response-field", "output", "--no-progress"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "6 rows = 6 in 6 conversations + 0 rejected" in result.output


def test_what_cannot_be_read_or_written_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "broken"
    (broken / "data").mkdir(parents=True)
    (broken / "README.md").write_text(
        "---\nconfigs:\n- config_name: default\n  data_files: nowhere/*.jsonl\n---\n"
    )
    (broken / "data" / "x.jsonl").write_text("{}\n")
    with pytest.raises(FormatError, match="datasets cannot read this repository"):
        list(iter_rows(broken))
    mixed = repo(tmp_path / "mixed")  # datasets wants one file format for all splits
    (mixed / "data" / "test.jsonl").unlink()
    (mixed / "data" / "test.csv").write_text("instruction,output\nQt,At\n")
    (mixed / "README.md").write_text(CARD.replace("test.jsonl", "test.csv"))
    with pytest.raises(FormatError, match="same data file format"):
        list(iter_rows(mixed))
    with pytest.raises(FormatError, match="read-only"):
        open_writer(tmp_path / "o", container="hub")
    real_import = builtins.__import__

    def no_datasets(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "datasets":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_datasets)
    with pytest.raises(MissingExtraError, match=r"ftprep\[datasets\]"):
        iter_rows(repo(tmp_path / "again"))
