"""CSV/TSV writing: header from the first rows, widening for late keys, cell encoding."""

from __future__ import annotations

from pathlib import Path

import pytest

from ftprep.errors import FormatError
from ftprep.io import CsvWriter, iter_rows, open_writer
from ftprep.io import csvwriter as csvwriter_module
from ftprep.io.csvwriter import encode_cell

CHAT = {
    "messages": [
        {"role": "user", "content": 'Say "hi",\nplease'},
        {"role": "assistant", "content": "hi"},
    ],
    "id": "c1",
}


def test_round_trip_with_nested_values(tmp_path: Path) -> None:
    path = tmp_path / "out" / "chats.csv"
    with open_writer(path) as writer:
        writer.write(CHAT)
        writer.write({"id": "c2", "note": None, "flag": True, "n": 1.5})

    assert path.read_text(encoding="utf-8").splitlines()[0] == "messages,id,note,flag,n"
    rows = [r.value for r in iter_rows(path)]
    assert rows == [
        {**CHAT, "note": "", "flag": "", "n": ""},
        {"messages": "", "id": "c2", "note": "", "flag": "true", "n": "1.5"},
    ]


def test_late_new_key_widens_the_header(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csvwriter_module, "HEADER_SAMPLE", 2)
    path = tmp_path / "wide.csv"
    with CsvWriter(path) as writer:
        for i in range(5):
            writer.write({"i": i, "text": f"row\n{i}"})
        writer.write({"i": 5, "late": "x"})
        writer.write({"i": 6, "later": [1]})

    rows = [r.value for r in iter_rows(path)]
    assert len(rows) == 7
    assert rows[0] == {"i": "0", "text": "row\n0", "late": "", "later": ""}
    assert rows[5] == {"i": "5", "text": "", "late": "x", "later": ""}
    assert rows[6] == {"i": "6", "text": "", "late": "", "later": [1]}
    assert [p.name for p in tmp_path.iterdir()] == ["wide.csv"]


def test_tsv_round_trip_with_tabs_and_newlines(tmp_path: Path) -> None:
    path = tmp_path / "rows.tsv"
    rows = [{"a": "tab\there", "b": "new\nline"}, {"a": "plain", "b": ""}]
    with open_writer(path) as writer:
        for row in rows:
            writer.write(row)

    assert [r.value for r in iter_rows(path)] == rows


def test_non_object_row_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    with pytest.raises(FormatError, match="must be an object"), open_writer(path) as writer:
        writer.write(["not", "a", "dict"])  # type: ignore[arg-type]
    assert not path.exists()


def test_no_rows_gives_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    with open_writer(path):
        pass
    assert path.read_bytes() == b""


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        ("s", "s"),
        (False, "false"),
        (3, "3"),
        (2.5, "2.5"),
        ({"a": [1, None]}, '{"a":[1,null]}'),
        (["é"], '["é"]'),
    ],
)
def test_encode_cell(value: object, text: str) -> None:
    assert encode_cell(value) == text
