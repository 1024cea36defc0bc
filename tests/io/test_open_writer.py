"""``open_writer`` and the atomic-write contract every writer keeps."""

from __future__ import annotations

from pathlib import Path

import pytest

from ftprep.errors import DetectionError
from ftprep.io import (
    CsvWriter,
    JsonArrayWriter,
    JsonlWriter,
    ParquetRowWriter,
    TsvWriter,
    iter_rows,
    open_writer,
)

FILE_CONTAINERS = ["out.jsonl", "out.json", "out.csv", "out.tsv", "out.parquet"]


def _needs(name: str) -> None:
    if name.endswith(".parquet"):
        pytest.importorskip("pyarrow")


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("a.jsonl", JsonlWriter),
        ("a.ndjson", JsonlWriter),
        ("a.json", JsonArrayWriter),
        ("a.csv", CsvWriter),
        ("a.TSV", TsvWriter),
        ("a.parquet", ParquetRowWriter),
        ("a.pq", ParquetRowWriter),
    ],
)
def test_container_from_extension(tmp_path: Path, name: str, kind: type) -> None:
    _needs(".parquet" if kind is ParquetRowWriter else name)
    writer = open_writer(tmp_path / name)
    try:
        assert type(writer) is kind
    finally:
        writer.abort()
    assert list(tmp_path.iterdir()) == []


def test_unknown_extension_asks_for_a_container(tmp_path: Path) -> None:
    with pytest.raises(DetectionError, match="--container"):
        open_writer(tmp_path / "out.txt")
    with pytest.raises(DetectionError, match="unknown container"):
        open_writer(tmp_path / "out.jsonl", container="xml")
    assert isinstance(open_writer(tmp_path / "rows.txt", container="jsonl"), JsonlWriter)


@pytest.mark.parametrize("name", FILE_CONTAINERS)
def test_clean_exit_replaces_target_and_creates_parents(tmp_path: Path, name: str) -> None:
    _needs(name)
    target = tmp_path / "deep" / "er" / name
    with open_writer(target) as writer:
        writer.write({"text": "one"})
        writer.write({"text": "two"})

    assert writer.count == 2
    assert [r.value for r in iter_rows(target)] == [{"text": "one"}, {"text": "two"}]
    assert [p.name for p in target.parent.iterdir()] == [name]


@pytest.mark.parametrize("name", FILE_CONTAINERS)
def test_exception_inside_with_leaves_old_file_and_no_temp(tmp_path: Path, name: str) -> None:
    _needs(name)
    target = tmp_path / name
    with open_writer(target) as writer:
        writer.write({"text": "old"})
    before = target.read_bytes()

    with pytest.raises(KeyError), open_writer(target) as writer:
        writer.write({"text": "new"})
        raise KeyError("boom")

    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_close_is_idempotent_and_write_after_close_fails(tmp_path: Path) -> None:
    writer = open_writer(tmp_path / "a.jsonl")
    writer.write({"a": 1})
    writer.close()
    writer.close()

    with pytest.raises(ValueError, match="closed"):
        writer.write({"a": 2})
    assert (tmp_path / "a.jsonl").read_bytes() == b'{"a":1}\n'


def test_nothing_appears_before_close(tmp_path: Path) -> None:
    target = tmp_path / "a.jsonl"
    writer = open_writer(target)
    writer.write({"a": 1})
    assert not target.exists()
    writer.abort()
    assert list(tmp_path.iterdir()) == []
