"""Cutting a JSON Lines input into byte ranges: the same lines, numbers and errors as reading
the file line by line, whatever the chunk size."""

from __future__ import annotations

import hashlib
import itertools
from pathlib import Path

import pytest

from ftprep.engine import shards
from ftprep.engine.shards import LineRange, iter_shards
from ftprep.formats import get_format
from ftprep.reading import Source, open_source

MESSY = (
    b"\xef\xbb\xbf"
    b'{"text": "first, after a BOM"}\r\n'
    b"\n"
    b'{"text": "after a blank line"}\n'
    b'{"text": "bad \xff utf-8"}\n'
    b'{"text": "ok"}\n'
    b'{"text": "cut sh'
)


def _read_all(ranges: list[LineRange]) -> list[tuple[int, object, str | None]]:
    out = []
    for r in ranges:
        for row in r.load().rows():
            out.append((row.line, row.value, row.error))
    return out


@pytest.mark.parametrize("size", [1, 2, 3, 4, 7, 100])
@pytest.mark.parametrize("block", [5, 16, 1 << 20])
def test_ranges_give_the_lines_of_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int, block: int
) -> None:
    monkeypatch.setattr(shards, "_BLOCK", block)  # cuts that fall inside and across blocks
    path = tmp_path / "messy.jsonl"
    path.write_bytes(MESSY)
    hashes: dict[str, str] = {}
    ranges = list(iter_shards(open_source(path, fmt="text"), size, hashes))
    assert all(isinstance(r, LineRange) for r in ranges)
    assert [r.first for r in ranges] == list(range(1, 7, size))  # six physical lines
    assert ranges[0].start == 0 and ranges[-1].end == len(MESSY)
    assert all(a.end == b.start for a, b in itertools.pairwise(ranges))
    assert [r.final for r in ranges] == [False] * (len(ranges) - 1) + [True]
    rows = _read_all(ranges)  # type: ignore[arg-type]
    assert [(n, v) for n, v, e in rows if e is None] == [
        (1, {"text": "first, after a BOM"}),
        (3, {"text": "after a blank line"}),
        (5, {"text": "ok"}),
    ]
    errors = {n: e for n, _, e in rows if e is not None}
    assert set(errors) == {4, 6}
    assert "UTF-8" in errors[4] and "truncated" in errors[6]
    assert hashes == {str(path): hashlib.sha256(MESSY).hexdigest()}


def test_a_file_that_ends_with_a_newline_has_no_final_range(tmp_path: Path) -> None:
    path = tmp_path / "even.jsonl"
    path.write_bytes(b"".join(b'{"text": "%d"}\n' % i for i in range(6)))
    ranges = list(iter_shards(open_source(path, fmt="text"), 3))
    assert [(r.first, r.final) for r in ranges] == [(1, False), (4, False)]  # type: ignore[union-attr]
    assert [n for n, _, _ in _read_all(ranges)] == [1, 2, 3, 4, 5, 6]  # type: ignore[arg-type]


def test_an_empty_file_has_no_shards(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_bytes(b"")
    hashes: dict[str, str] = {}
    assert list(iter_shards(Source(path, "jsonl", get_format("text")), 5, hashes)) == []
    assert hashes[str(path)] == hashlib.sha256(b"").hexdigest()


def test_a_file_changed_under_the_run_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "shrinks.jsonl"
    path.write_bytes(b'{"text": "a"}\n' * 10)
    (first,) = list(iter_shards(open_source(path, fmt="text"), 100))
    path.write_bytes(b'{"text": "a"}\n')
    with pytest.raises(OSError, match="changed while it was read"):
        first.load()  # type: ignore[union-attr]
