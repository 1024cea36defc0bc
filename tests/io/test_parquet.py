"""Parquet: round trips of heterogeneous chats, the JSON-column fallback, shards, bad files."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from ftprep.errors import FormatError, MissingExtraError
from ftprep.io import ParquetRowWriter, iter_parquet, iter_rows, open_writer
from ftprep.io import arrow_rows as arrow_rows_module
from ftprep.io.arrow_rows import JSON_COLUMNS_KEY, prune_nulls

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

CALL = {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": '{"x": 1}'}}


def _chat(i: int) -> dict[str, Any]:
    """Chats that vary: tool_calls only in some, content None in some, extra keys in some."""
    messages: list[dict[str, Any]] = [{"role": "user", "content": f"question {i}"}]
    if i % 3 == 0:
        messages.append({"role": "assistant", "content": None, "tool_calls": [CALL]})
        messages.append({"role": "tool", "tool_call_id": "call_1", "content": "42"})
    messages.append({"role": "assistant", "content": f"answer {i}", "weight": i % 2})
    row: dict[str, Any] = {"messages": messages}
    if i % 4 == 0:
        row["metadata"] = {"source": "test", "rating": i / 2}
    return row


def _write(path: Path, rows: list[dict[str, Any]]) -> None:
    with open_writer(path) as writer:
        for row in rows:
            writer.write(row)


def test_heterogeneous_chats_round_trip_as_nested_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(arrow_rows_module, "BATCH_ROWS", 4)  # tool_calls missing from some batches
    rows = [_chat(i) for i in range(1, 20)]
    path = tmp_path / "chats.parquet"
    _write(path, rows)

    schema = pq.ParquetFile(path).schema_arrow
    assert pa.types.is_list(schema.field("messages").type)
    message = schema.field("messages").type.value_type
    assert {message.field(i).name for i in range(message.num_fields)} == {
        "role",
        "content",
        "tool_calls",
        "tool_call_id",
        "weight",
    }
    assert schema.metadata is None or JSON_COLUMNS_KEY not in schema.metadata
    read = list(iter_rows(path))
    assert [r.line for r in read] == list(range(1, 20))
    assert [r.value for r in read] == [prune_nulls(row) for row in rows]


def test_content_string_or_parts_falls_back_to_a_json_column(tmp_path: Path) -> None:
    rows: list[dict[str, Any]] = [
        {"id": 1, "messages": [{"role": "user", "content": "plain"}]},
        {"id": 2, "messages": [{"role": "user", "content": [{"type": "text", "text": "parts"}]}]},
        {"id": 3, "messages": [{"role": "assistant", "content": None, "tool_calls": [CALL]}]},
        {"id": "four", "messages": [], "extra": {}},
    ]
    path = tmp_path / "mixed.parquet"
    _write(path, rows)

    metadata = pq.ParquetFile(path).schema_arrow.metadata
    assert orjson.loads(metadata[JSON_COLUMNS_KEY]) == ["id", "messages", "extra"]
    assert [r.value for r in iter_parquet(path)] == rows  # JSON columns keep even None exactly


def test_numbers_are_promoted_and_empty_objects_survive(tmp_path: Path) -> None:
    rows: list[dict[str, Any]] = [{"score": 1, "meta": {}}, {"score": 2.5, "meta": {}}, {}]
    path = tmp_path / "numbers.parquet"
    _write(path, rows)

    assert pq.ParquetFile(path).schema_arrow.field("score").type == pa.float64()
    assert [r.value for r in iter_parquet(path)] == [
        {"score": 1.0, "meta": {}},
        {"score": 2.5, "meta": {}},
        {},
    ]


def test_no_rows_writes_a_readable_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.parquet"
    _write(path, [])
    assert list(iter_rows(path)) == []


def test_datasets_loads_nested_columns(tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    path = tmp_path / "chats.parquet"
    _write(path, [_chat(i) for i in range(6)])

    loaded = datasets.load_dataset(
        "parquet", data_files=str(path), split="train", cache_dir=str(tmp_path / "cache")
    )

    assert loaded[0]["messages"][0] == {
        "role": "user",
        "content": "question 0",
        "tool_calls": None,
        "tool_call_id": None,
        "weight": None,
    }
    assert loaded[0]["messages"][1]["tool_calls"][0]["function"]["name"] == "f"


def test_directory_of_hub_shards_sets_the_split(tmp_path: Path) -> None:
    data = tmp_path / "hub" / "data"
    data.mkdir(parents=True)
    pq.write_table(pa.table({"text": ["a", "b"]}), data / "train-00000-of-00002.parquet")
    pq.write_table(pa.table({"text": ["c"]}), data / "train-00001-of-00002.parquet")
    pq.write_table(pa.table({"text": ["t"]}), data / "test-00000-of-00001.parquet")

    rows = list(iter_rows(tmp_path / "hub"))

    assert [(r.split, r.line, r.value["text"]) for r in rows] == [
        ("test", 1, "t"),
        ("train", 1, "a"),
        ("train", 2, "b"),
        ("train", 3, "c"),
    ]


def test_unreadable_file_raises_format_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.parquet"
    path.write_bytes(b"PAR1 this is not really parquet")

    with pytest.raises(FormatError, match=r"bad\.parquet: not a readable Parquet file"):
        list(iter_parquet(path))


def test_missing_pyarrow_names_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)

    with pytest.raises(MissingExtraError, match=r"pip install 'ftprep\[parquet\]'"):
        iter_parquet(tmp_path / "x.parquet")
    with pytest.raises(MissingExtraError):
        ParquetRowWriter(tmp_path / "x.parquet")
    assert list(tmp_path.iterdir()) == []


def test_prune_nulls_recurses_into_lists_of_dicts() -> None:
    value = {"a": None, "b": [{"c": None, "d": 1}, None], "e": {"f": {"g": None}}}
    assert prune_nulls(value) == {"b": [{"d": 1}, None], "e": {"f": {}}}
