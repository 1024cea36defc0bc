"""JSON Lines reading (line numbers, error rows, chunk boundaries, memory) and writing."""

from __future__ import annotations

import tracemalloc
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ftprep.errors import FormatError
from ftprep.io import RawRow, iter_jsonl, iter_jsonl_values, iter_rows, open_writer
from ftprep.io import jsonl as jsonl_module

BIG = "x" * (5 << 20)

MESSY = b"".join(
    [
        b'\xef\xbb\xbf{"a": 1}\r\n',  # 1: BOM + CRLF
        b"\r\n",  # 2: blank
        b"   \t \r\n",  # 3: whitespace only
        b'{"b": 2}\r\n',  # 4
        b'{"c": x}\r\n',  # 5: invalid JSON at column 7
        b'{"d": "\xff"}\n',  # 6: invalid UTF-8 at byte 8
        b'{"big": "' + BIG.encode() + b'"}\n',  # 7: a 5 MB line
        b'{"e": [1, 2\n',  # 8: cut short, mid-file
        b'["not", "an", "object"]\n',  # 9: any JSON value is a row
        b'{"f": [1, 2',  # 10: truncated last line, no newline
    ]
)


def _messy(tmp_path: Path) -> Path:
    path = tmp_path / "messy.jsonl"
    path.write_bytes(MESSY)
    return path


def test_messy_file_gives_line_numbers_and_reasons(tmp_path: Path) -> None:
    rows = list(iter_rows(_messy(tmp_path)))

    assert [row.line for row in rows] == [1, 4, 5, 6, 7, 8, 9, 10]
    assert rows[0] == RawRow(1, {"a": 1})
    assert rows[1] == RawRow(4, {"b": 2})
    assert rows[2].value is None
    assert rows[2].error == (
        "invalid JSON: unexpected character, expected a JSON value at column 7"
    )
    assert rows[2].raw == '{"c": x}'
    assert rows[3].error == "invalid UTF-8 at byte 8 of the line"
    assert rows[3].raw == '{"d": "\ufffd"}'
    assert rows[4].value == {"big": BIG}
    assert rows[5].error is not None
    assert rows[5].error.startswith("invalid JSON: line ends inside a JSON value")
    assert rows[6].value == ["not", "an", "object"]
    assert rows[7].error == "truncated: file ends inside a JSON value"
    assert rows[7].raw == '{"f": [1, 2'


def test_values_tuples_carry_raw_bytes(tmp_path: Path) -> None:
    values = list(iter_jsonl_values(_messy(tmp_path)))

    assert values[0] == (1, {"a": 1}, None, None)
    line, value, error, raw = values[2]
    assert (line, value, raw) == (5, None, b'{"c": x}')
    assert error is not None
    assert values[3][3] == b'{"d": "\xff"}'


@pytest.mark.parametrize("chunk_size", [3, 5, 11, 64, 1 << 20])
def test_chunk_boundaries_do_not_change_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk_size: int
) -> None:
    path = _messy(tmp_path)
    expected = list(iter_jsonl_values(path))
    monkeypatch.setattr(jsonl_module, "CHUNK_SIZE", chunk_size)

    assert list(iter_jsonl_values(path)) == expected


def test_last_line_without_newline_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_bytes(b'{"a": 1}\n{"b": 2}')

    assert [r.value for r in iter_jsonl(path)] == [{"a": 1}, {"b": 2}]


def test_trailing_blank_lines_and_empty_file_give_no_rows(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_bytes(b'{"a": 1}\n\n  \n \t')
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    bom_only = tmp_path / "bom.jsonl"
    bom_only.write_bytes(b"\xef\xbb\xbf")

    assert [r.line for r in iter_jsonl(path)] == [1]
    assert list(iter_jsonl(empty)) == []
    assert list(iter_jsonl(bom_only)) == []


def test_missing_file_and_directory_raise_format_error_at_once(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="no such file"):
        iter_jsonl_values(tmp_path / "missing.jsonl")
    with pytest.raises(FormatError, match="is a directory"):
        iter_jsonl(tmp_path)


def test_line_longer_than_many_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonl_module, "CHUNK_SIZE", 1 << 16)
    record = {"messages": [{"role": "user", "content": "y" * (3 << 20)}]}
    path = tmp_path / "long.jsonl"
    path.write_bytes(b'{"a": 0}\n' + orjson.dumps(record) + b'\n{"a": 2}\n')

    rows = list(iter_jsonl(path))

    assert [r.line for r in rows] == [1, 2, 3]
    assert rows[1].value == record


def test_memory_stays_flat_on_a_large_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonl_module, "CHUNK_SIZE", 1 << 20)
    line = orjson.dumps({"messages": [{"role": "user", "content": "z" * 1500}]}) + b"\n"
    path = tmp_path / "large.jsonl"
    path.write_bytes(line * 12_000)  # about 18 MB

    tracemalloc.start()
    try:
        count = sum(1 for _ in iter_jsonl_values(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert count == 12_000
    assert peak < 6 << 20


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(
            st.binary(max_size=40),
            st.sampled_from([b'{"a": 1}', b"{", b"\xef\xbb\xbf", b"\r", b"  ", b'"\xc3', b"[]"]),
        ),
        max_size=12,
    ).map(b"\n".join)
)
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "fuzz.jsonl"
        path.write_bytes(data)
        rows = list(iter_rows(path))

    last_line = data.count(b"\n") + 1
    lines = [row.line for row in rows]
    assert lines == sorted(set(lines))
    assert all(1 <= n <= last_line for n in lines)
    for row in rows:
        if row.error is not None:
            assert row.value is None
            assert isinstance(row.raw, str)


def test_writer_round_trips_and_falls_back_for_what_orjson_refuses(tmp_path: Path) -> None:
    path = tmp_path / "out" / "rows.jsonl"
    rows: list[dict[Any, Any]] = [{"a": "é", "n": [1, 2]}, {"big": 2**70}, {1: "int key"}]

    with open_writer(path) as writer:
        for row in rows:
            writer.write(row)

    assert writer.count == 3
    lines = path.read_bytes().splitlines()
    assert lines[0] == '{"a":"é","n":[1,2]}'.encode()
    assert lines[1] == b'{"big":1180591620717411303424}'
    assert orjson.loads(lines[2]) == {"1": "int key"}


def test_writer_rejects_unencodable_row_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    with pytest.raises(FormatError, match=r"rows\.jsonl:2: cannot encode"), open_writer(path) as w:
        w.write({"ok": 1})
        w.write({"bad": object()})

    assert not path.exists()
    assert list(tmp_path.iterdir()) == []
