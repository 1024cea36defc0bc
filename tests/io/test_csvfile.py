"""CSV/TSV reading: BOM, CRLF, quoted newlines, JSON cells, ragged rows, bad bytes."""

from __future__ import annotations

from pathlib import Path

import pytest

from ftprep.errors import FormatError
from ftprep.io import RawRow, iter_csv, iter_rows
from ftprep.io.csvfile import decode_cell

MESSAGES = '[{"role": "user", "content": "hi, there"}, {"role": "assistant", "content": "hello"}]'


def _csv(tmp_path: Path, name: str, text: str, *, raw: bytes = b"") -> Path:
    path = tmp_path / name
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8") + raw)
    return path


def test_csv_with_bom_crlf_quoted_newlines_and_json_cells(tmp_path: Path) -> None:
    messages_cell = '"' + MESSAGES.replace('"', '""') + '"'
    text = (
        "id,messages,note\r\n"  # 1
        f"a1,{messages_cell},plain\r\n"  # 2
        'a2,"[not json",""\r\n'  # 3
        '"a3","{""k"": [1, 2]}","two\r\nlines"\r\n'  # 4-5
        "\r\n"  # 6: blank
        "a4,[],  {x\r\n"  # 7
    )
    rows = list(iter_rows(_csv(tmp_path, "data.csv", text)))

    assert [row.line for row in rows] == [2, 3, 4, 7]
    assert rows[0].value == {
        "id": "a1",
        "messages": [
            {"role": "user", "content": "hi, there"},
            {"role": "assistant", "content": "hello"},
        ],
        "note": "plain",
    }
    assert rows[1].value == {"id": "a2", "messages": "[not json", "note": ""}
    assert rows[2].value == {"id": "a3", "messages": {"k": [1, 2]}, "note": "two\r\nlines"}
    assert rows[3].value == {"id": "a4", "messages": [], "note": "  {x"}


def test_ragged_rows_are_error_rows_naming_the_counts(tmp_path: Path) -> None:
    text = "a,b,c\n1,2,3\n1,2\n1,2,3,4\n7,8,9\n"
    rows = list(iter_csv(_csv(tmp_path, "ragged.csv", text)))

    assert rows[0] == RawRow(2, {"a": "1", "b": "2", "c": "3"})
    assert rows[1].line == 3
    assert rows[1].error == "expected 3 fields (as in the header), found 2"
    assert rows[1].raw == "1,2"
    assert rows[2].error == "expected 3 fields (as in the header), found 4"
    assert rows[3] == RawRow(5, {"a": "7", "b": "8", "c": "9"})


def test_invalid_utf8_cell_is_an_error_row(tmp_path: Path) -> None:
    path = _csv(tmp_path, "bytes.csv", "a,b\nok,fine\n", raw=b"bad,\xff\xfe\nok,again\n")

    rows = list(iter_rows(path))

    assert [r.line for r in rows] == [2, 3, 4]
    assert rows[1].error == "invalid UTF-8 in column 'b'"
    assert rows[1].raw == "bad,\ufffd\ufffd"
    assert rows[2].value == {"a": "ok", "b": "again"}


def test_header_problems_raise(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="duplicate column name 'a'"):
        list(iter_csv(_csv(tmp_path, "dup.csv", "a,b,a\n1,2,3\n")))
    assert list(iter_csv(_csv(tmp_path, "empty.csv", ""))) == []
    assert list(iter_csv(_csv(tmp_path, "header.csv", "a,b\n"))) == []


def test_tsv(tmp_path: Path) -> None:
    text = 'instruction\tinput\toutput\nSay hi\t\t"Hi,\tthere"\nList\t[1, 2]\tdone\n'
    path = tmp_path / "data.tsv"
    path.write_text(text, encoding="utf-8")

    rows = list(iter_rows(path))

    assert rows == [
        RawRow(2, {"instruction": "Say hi", "input": "", "output": "Hi,\tthere"}),
        RawRow(3, {"instruction": "List", "input": [1, 2], "output": "done"}),
    ]


def test_long_json_cell_passes_the_default_field_limit(tmp_path: Path) -> None:
    content = "w" * 300_000
    path = _csv(tmp_path, "long.csv", f'text\n"{content}"\n')

    assert [r.value for r in iter_csv(path)] == [{"text": content}]


@pytest.mark.parametrize(
    ("cell", "decoded"),
    [
        ('{"a": 1}', {"a": 1}),
        ("  [1, 2] ", [1, 2]),
        ("[1, 2", "[1, 2"),
        ("123", "123"),
        ('"quoted"', '"quoted"'),
        ("", ""),
    ],
)
def test_decode_cell(cell: str, decoded: object) -> None:
    assert decode_cell(cell) == decoded
