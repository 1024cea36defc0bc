"""Container detection: extensions, sniffing ``.json`` content, directories, failures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ftprep.errors import DetectionError, FormatError
from ftprep.io import detect_container


def _file(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


@pytest.mark.parametrize(
    ("name", "container"),
    [
        ("a.jsonl", "jsonl"),
        ("a.NDJSON", "jsonl"),
        ("a.csv", "csv"),
        ("a.tsv", "tsv"),
        ("a.parquet", "parquet"),
        ("a.pq", "parquet"),
    ],
)
def test_by_extension(tmp_path: Path, name: str, container: str) -> None:
    assert detect_container(_file(tmp_path, name, "anything")) == container


@pytest.mark.parametrize(
    ("data", "container"),
    [
        ('{"id": 1, "q": "a"}\n{"id": 2, "q": "b"}\n', "jsonl"),  # BFCL: JSON Lines named .json
        ('\ufeff\n\n{"id": 1}\r\n\r\n{"id": 2}', "jsonl"),
        ('[{"a": 1}]', "json"),
        ('  \n[\n  {"a": 1}\n]\n', "json"),
        (json.dumps({"conversations": [{"from": "human", "value": "x"}]}, indent=2), "json"),
        ('{"conversations": []}\n', "json"),  # one object on one line
        ('{"instruction": ["a", "b"], "output": ["1", "2"]}', "json"),  # columnar
        ('{"a": 1}\n[1, 2]\n', "json"),  # not JSON Lines of objects: the reader will say why
        ("", "json"),
        ("not json at all", "json"),  # the JSON reader says what is wrong, and where
    ],
)
def test_json_extension_is_sniffed(tmp_path: Path, data: str, container: str) -> None:
    path = tmp_path / "data.json"
    path.write_text(data, encoding="utf-8")
    assert detect_container(path) == container


def test_unknown_extension_is_sniffed(tmp_path: Path) -> None:
    assert detect_container(_file(tmp_path, "a.txt", '{"a": 1}\n{"a": 2}\n')) == "jsonl"
    assert detect_container(_file(tmp_path, "b.data", b"PAR1\x00\x00")) == "parquet"
    assert detect_container(_file(tmp_path, "c", "[1, 2]")) == "json"


@pytest.mark.parametrize("data", ["id,text\n1,hello\n", "", "\x00\x01binary"])
def test_unknown_content_names_what_was_seen_and_how_to_say_it(tmp_path: Path, data: str) -> None:
    path = _file(tmp_path, "data.txt", data)
    with pytest.raises(DetectionError, match="--container jsonl") as caught:
        detect_container(path)
    assert "'.txt'" in str(caught.value)


def test_missing_path_raises_format_error(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="no such file or directory"):
        detect_container(tmp_path / "missing.jsonl")


def test_directories(tmp_path: Path) -> None:
    hf = tmp_path / "hf"
    hf.mkdir()
    (hf / "dataset_dict.json").write_text('{"splits": ["train"]}')
    shards = tmp_path / "shards" / "data"
    shards.mkdir(parents=True)
    (shards / "train-00000-of-00001.parquet").write_bytes(b"PAR1")

    assert detect_container(hf) == "hf"
    assert detect_container(tmp_path / "shards") == "parquet"
