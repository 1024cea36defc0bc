"""CSV and TSV files: a streaming reader and a writer, both on the :mod:`csv` module.

Reading: the first record is the header (required; duplicate names are a :class:`FormatError`). A
byte order mark, CRLF endings and quoted newlines are handled. Every record becomes a dict of
column -> string (an empty cell is ``""``), except that a cell whose text starts with ``[`` or ``{``
and parses as JSON is decoded, so ``messages``, ``tools`` or ``metadata`` columns written as JSON
come back as lists and dicts; a cell that does not parse stays a string. A record with too many or
too few fields, or with bytes that are not UTF-8, becomes an error row; blank lines are skipped.
``line`` is the physical line where the record starts (the header is line 1).

The reader raises the process-wide :func:`csv.field_size_limit` to 2 GiB, since a cell holding a
long conversation as JSON easily passes the default 128 KiB.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from typing import Any, TextIO

import orjson

from ftprep.errors import FormatError
from ftprep.io.jsonl import open_binary
from ftprep.io.rows import RawRow, error_row

_FIELD_LIMIT = (1 << 31) - 1


def iter_csv(path: str | os.PathLike[str], *, delimiter: str = ",") -> Iterator[RawRow]:
    """Yield a :class:`RawRow` per record of a CSV (or, with ``delimiter="\\t"``, TSV) file."""
    binary = open_binary(path)
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", errors="surrogateescape", newline="")
    return _rows(text, delimiter, os.fspath(path))


def allow_large_fields() -> None:
    """Raise the process-wide :func:`csv.field_size_limit` to 2 GiB (see the module doc)."""
    if csv.field_size_limit() < _FIELD_LIMIT:
        csv.field_size_limit(_FIELD_LIMIT)


def _rows(file: TextIO, delimiter: str, name: str) -> Iterator[RawRow]:
    allow_large_fields()
    with file:
        reader = csv.reader(file, delimiter=delimiter)
        header = _header(reader, name)
        if header is None:
            return
        width = len(header)
        end = reader.line_num
        while True:
            start = end + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                end = reader.line_num
                yield error_row(start, f"invalid CSV: {exc}", "")
                continue
            end = reader.line_num
            if not cells or (len(cells) == 1 and width > 1 and not cells[0].strip()):
                continue
            problem = _problem(cells, width, header)
            if problem is not None:
                yield error_row(start, problem, _unsplit(cells, delimiter))
                continue
            yield RawRow(
                start, {col: decode_cell(cell) for col, cell in zip(header, cells, strict=True)}
            )


def _header(reader: Any, name: str) -> list[str] | None:
    try:
        header: list[str] = next(reader)
    except StopIteration:
        return None
    except csv.Error as exc:
        raise FormatError(f"unreadable header: {exc}", file=name, line=1) from exc
    if _invalid_utf8(header):
        raise FormatError("the header is not valid UTF-8", file=name, line=1)
    seen: set[str] = set()
    for column in header:
        if column in seen:
            raise FormatError(f"duplicate column name {column!r} in the header", file=name, line=1)
        seen.add(column)
    return header


def _problem(cells: list[str], width: int, header: list[str]) -> str | None:
    if len(cells) != width:
        return f"expected {width} fields (as in the header), found {len(cells)}"
    for column, cell in zip(header, cells, strict=True):
        if _invalid_utf8([cell]):
            return f"invalid UTF-8 in column {column!r}"
    return None


def _invalid_utf8(cells: list[str]) -> bool:
    for cell in cells:
        if not cell.isascii():
            try:
                cell.encode("utf-8")
            except UnicodeEncodeError:
                return True
    return False


def _unsplit(cells: list[str], delimiter: str) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="").writerow(cells)
    return out.getvalue().encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def decode_cell(cell: str) -> Any:
    """``cell`` decoded from JSON when it starts with ``[`` or ``{`` and parses, else ``cell``."""
    head = cell.lstrip()[:1]
    if head == "[" or head == "{":
        try:
            return orjson.loads(cell)
        except orjson.JSONDecodeError:
            return cell
    return cell
