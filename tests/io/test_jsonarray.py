"""Whole-document JSON: arrays, single objects, columnar objects, broken files, the array writer."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest

from ftprep.errors import FormatError
from ftprep.io import JsonArrayWriter, RawRow, iter_json_document, iter_rows, open_writer
from ftprep.io.jsonarray import is_columnar


def _write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def test_array_elements_are_rows_numbered_from_one(tmp_path: Path) -> None:
    records = [{"instruction": "hi", "output": "hello"}, "not an object", 3, None]
    path = _write(tmp_path, "a.json", b"\xef\xbb\xbf" + json.dumps(records, indent=4).encode())

    rows = list(iter_json_document(path))

    assert rows == [RawRow(i, value) for i, value in enumerate(records, 1)]


def test_single_conversation_object_is_one_row(tmp_path: Path) -> None:
    record = {
        "conversations": [
            {"from": "human", "value": "hi"},
            {"from": "gpt", "value": "hello"},
        ]
    }
    path = _write(tmp_path, "conversation.json", json.dumps(record, indent=2))

    assert list(iter_rows(path)) == [RawRow(1, record)]


def test_columnar_object_is_zipped_into_rows(tmp_path: Path) -> None:
    columns = {"instruction": ["a", "b", "c"], "input": ["", "x", ""], "output": ["1", "2", "3"]}
    path = _write(tmp_path, "columns.json", json.dumps(columns))

    rows = list(iter_rows(path))

    assert [r.line for r in rows] == [1, 2, 3]
    assert rows[1].value == {"instruction": "b", "input": "x", "output": "2"}


@pytest.mark.parametrize(
    ("document", "columnar"),
    [
        ({"text": ["a", "b"]}, True),
        ({"messages": [[{"role": "user", "content": "hi"}]], "id": ["1"]}, True),
        ({"a": [1, 2], "b": [1]}, False),  # unequal lengths
        ({"a": [], "b": []}, False),  # nothing to zip
        ({"a": [1], "b": "x"}, False),  # not all lists
        ({"conversations": [{"from": "human", "value": "hi"}]}, False),  # one conversation
        ({"messages": [{"role": "user"}], "tags": [{"role": "x"}]}, False),
        ({}, False),
    ],
)
def test_is_columnar(document: dict[str, object], columnar: bool) -> None:
    assert is_columnar(document) is columnar


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (
            b'[{"a": 1}, {"b": x}]',
            "invalid JSON: unexpected character, expected a JSON value at line 1 column 18",
        ),
        (
            b'[\n  {"a": 1},\n  {"b": 2',
            "truncated: file ends inside a JSON value (line 3 column 10)",
        ),
        (b"", "invalid JSON: the file is empty"),
        (b"  \n ", "invalid JSON: the file is empty"),
        (b'["\xff"]', "invalid UTF-8 at byte 3 of the file"),
    ],
)
def test_broken_file_is_one_error_row(tmp_path: Path, data: bytes, error: str) -> None:
    path = _write(tmp_path, "broken.json", data)

    rows = list(iter_json_document(path))

    assert len(rows) == 1
    assert rows[0].line == 1
    assert rows[0].value is None
    assert rows[0].error == error
    assert rows[0].raw is not None


def test_json_lines_read_as_json_hints_at_the_container(tmp_path: Path) -> None:
    path = _write(tmp_path, "lines.json", '{"a": 1}\n{"a": 2}\n')

    [row] = list(iter_rows(path, container="json"))

    assert row.error is not None
    assert "--container jsonl" in row.error
    assert [r.value for r in iter_rows(path)] == [{"a": 1}, {"a": 2}]


def test_missing_file_raises(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="no such file"):
        iter_json_document(tmp_path / "nope.json")


def test_writer_streams_one_row_per_line(tmp_path: Path) -> None:
    path = tmp_path / "rows.json"
    with open_writer(path) as writer:
        writer.write({"a": 1})
        writer.write({"b": [1, 2], "c": "é"})

    assert path.read_text(encoding="utf-8") == '[\n{"a":1},\n{"b":[1,2],"c":"é"}\n]\n'
    assert [r.value for r in iter_rows(path)] == [{"a": 1}, {"b": [1, 2], "c": "é"}]


def test_writer_indent_and_empty_output(tmp_path: Path) -> None:
    pretty = tmp_path / "pretty.json"
    with JsonArrayWriter(pretty, indent=True) as writer:
        writer.write({"text": "line one\nline two", "n": [1]})
        writer.write({"x": None})
    empty = tmp_path / "empty.json"
    with open_writer(empty):
        pass

    text = pretty.read_text(encoding="utf-8")
    assert text.startswith('[\n  {\n    "text": "line one\\nline two",')
    assert orjson.loads(text) == [{"text": "line one\nline two", "n": [1]}, {"x": None}]
    assert empty.read_text() == "[]\n"
    assert orjson.loads(empty.read_bytes()) == []
