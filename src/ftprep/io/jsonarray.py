"""Whole-document JSON files: an array of rows, one single record, or columns of equal length.

A JSON document cannot be parsed piece by piece with orjson, so :func:`iter_json_document` loads
the file whole: the bytes are read, parsed, and dropped before the first row is yielded, so the
parsed rows are the only copy held. The document's shape decides the rows:

- an array: one row per element, ``line`` = the 1-based element index; elements that are not
  objects are yielded as they are (the format layer reports them);
- a columnar object (every value a list, all of the same non-zero length, none a list of chat
  turns), such as ``{"instruction": [...], "output": [...]}``: rows are zipped from the columns;
- any other object (axolotl's ``{"conversations": [...]}``), or a scalar: one row, ``line`` 1.

A file that is not valid JSON gives a single error row carrying the decode position.

:class:`JsonArrayWriter` streams ``[``, the rows one per line separated by ``,``, then ``]``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any, BinaryIO

import orjson

from ftprep.errors import FormatError
from ftprep.io.atomic import BinaryRowWriter
from ftprep.io.jsonencode import dumps_bytes
from ftprep.io.jsonl import open_binary
from ftprep.io.rows import RAW_LIMIT, RawRow, error_row

_BOM = b"\xef\xbb\xbf"
_TURN_KEYS = ("role", "from")


def iter_json_document(path: str | os.PathLike[str]) -> Iterator[RawRow]:
    """Yield the rows of a whole-document JSON file (see the module doc for the shapes)."""
    file = open_binary(path)
    return _rows(file)


def _rows(file: BinaryIO) -> Iterator[RawRow]:
    with file:
        data = file.read()
    start = len(_BOM) if data.startswith(_BOM) else 0
    try:
        document = orjson.loads(memoryview(data)[start:])
    except orjson.JSONDecodeError as exc:
        yield error_row(1, _describe(data, start, exc), data[start : start + RAW_LIMIT * 4])
        return
    del data
    if isinstance(document, list):
        for index, element in enumerate(document, 1):
            yield RawRow(index, element)
    elif isinstance(document, dict) and is_columnar(document):
        columns = list(document)
        for index, values in enumerate(zip(*document.values(), strict=True), 1):
            yield RawRow(index, dict(zip(columns, values, strict=True)))
    else:
        yield RawRow(1, document)


def is_columnar(document: dict[str, Any]) -> bool:
    """Whether ``document`` holds columns: all values lists of one non-zero length, no turn lists.

    A list of chat turns (objects with ``role`` or ``from``) marks a single conversation record,
    so ``{"conversations": [{"from": "human", ...}, ...]}`` is one row, not a column.
    """
    values = list(document.values())
    if not values or not all(isinstance(v, list) for v in values):
        return False
    length = len(values[0])
    if length == 0 or any(len(v) != length for v in values):
        return False
    return not any(
        isinstance(item, dict) and any(key in item for key in _TURN_KEYS)
        for column in values
        for item in column[:3]
    )


def _describe(data: bytes, start: int, exc: orjson.JSONDecodeError) -> str:
    if not data[start:].strip():
        return "invalid JSON: the file is empty"
    try:
        data[start:].decode("utf-8")
    except UnicodeDecodeError as bad:
        return f"invalid UTF-8 at byte {bad.start + start + 1} of the file"
    where = f"line {exc.lineno} column {exc.colno}"
    if exc.msg.startswith("unexpected end of data"):
        return f"truncated: file ends inside a JSON value ({where})"
    if exc.msg.startswith("unexpected content after document"):
        return (
            f"invalid JSON: more content after the first value at {where} "
            "(if this is JSON Lines, name it with --container jsonl)"
        )
    return f"invalid JSON: {exc.msg} at {where}"


class JsonArrayWriter(BinaryRowWriter):
    """Writes a JSON array, streaming: ``[``, one row per line separated by ``,``, then ``]``.

    With ``indent=True`` each row is pretty-printed with two-space indentation instead.
    """

    container = "json"

    def __init__(self, path: str | os.PathLike[str], *, indent: bool = False) -> None:
        super().__init__(path)
        self._indent = indent
        self._file.write(b"[")

    def _write(self, row: dict[str, Any]) -> None:
        try:
            data = dumps_bytes(row, indent=self._indent)
        except ValueError as exc:
            raise FormatError(str(exc), file=str(self.path), line=self.count + 1) from exc
        if self._indent:  # JSON strings never hold a raw newline, so this indents lines only
            data = b"  " + data.replace(b"\n", b"\n  ")
        self._file.write(b",\n" if self.count else b"\n")
        self._file.write(data)

    def _finish(self) -> None:
        self._file.write(b"\n]\n" if self.count else b"]\n")
        super()._finish()
