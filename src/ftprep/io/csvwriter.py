"""Writing CSV and TSV files atomically, with a header that grows when late rows bring new keys.

The header is the union of the keys of the first :data:`HEADER_SAMPLE` rows, in order of first
appearance; those rows are buffered until the header is known. A later row with a key not in the
header widens it: the rows written so far are copied once into a new temporary with the wider
header (earlier rows get ``""`` in the new columns). That copy is linear in what was written, so
it stays cheap unless new keys keep arriving to the end; nothing is ever dropped or refused.

Cells: strings as they are, ``None`` as ``""``, booleans as ``true``/``false``, numbers with
:func:`str`, lists and dicts as compact JSON (the reader decodes them back). Output is UTF-8 with
``\\n`` line endings, quoting only where needed.
"""

from __future__ import annotations

import csv
import os
from typing import IO, Any

from ftprep.errors import FormatError
from ftprep.io.atomic import WRITE_BUFFER, RowWriter, temp_path_beside
from ftprep.io.csvfile import allow_large_fields
from ftprep.io.jsonencode import dumps_text

#: Rows buffered to decide the header.
HEADER_SAMPLE = 1000


def encode_cell(value: Any) -> str:
    """The text of one cell (see the module doc); raises :class:`ValueError` for unencodable data."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | dict | tuple):
        return dumps_text(value)
    return str(value)


class CsvWriter(RowWriter):
    """Writes dict rows as CSV with a header row (see the module doc for header and cells)."""

    container = "csv"
    delimiter = ","

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__(path)
        self._file = self._open(self._tmp, "x")
        self._writer = csv.writer(self._file, delimiter=self.delimiter, lineterminator="\n")
        self._buffer: list[dict[str, Any]] | None = []
        self._columns: list[str] = []
        self._known: set[str] = set()

    @staticmethod
    def _open(path: os.PathLike[str], mode: str) -> IO[Any]:
        try:
            return open(path, mode, encoding="utf-8", newline="", buffering=WRITE_BUFFER)
        except OSError as exc:
            raise FormatError(f"cannot write: {exc}", file=os.fspath(path)) from exc

    def _write(self, row: dict[str, Any]) -> None:
        if not isinstance(row, dict):
            raise FormatError(
                f"a CSV row must be an object, got {type(row).__name__}",
                file=str(self.path),
                line=self.count + 1,
            )
        if self._buffer is not None:
            self._buffer.append(row)
            if len(self._buffer) >= HEADER_SAMPLE:
                self._write_header_and_buffer()
            return
        new = [key for key in map(str, row) if key not in self._known]
        if new:
            self._widen(new)
        self._write_row(row, self.count + 1)

    def _add_columns(self, keys: list[str]) -> None:
        for key in keys:
            if key not in self._known:
                self._known.add(key)
                self._columns.append(key)

    def _write_header_and_buffer(self) -> None:
        buffer, self._buffer = self._buffer or [], None
        for row in buffer:
            self._add_columns(list(map(str, row)))
        if self._columns:
            self._writer.writerow(self._columns)
        first = self.count + 1 - len(buffer)
        for offset, row in enumerate(buffer):
            self._write_row(row, first + offset)

    def _write_row(self, row: dict[str, Any], number: int) -> None:
        values = {str(key): value for key, value in row.items()}
        try:
            self._writer.writerow([encode_cell(values.get(col)) for col in self._columns])
        except (ValueError, UnicodeEncodeError) as exc:
            raise FormatError(f"cannot write row: {exc}", file=str(self.path), line=number) from exc

    def _widen(self, new: list[str]) -> None:
        """Rewrite what was written so far under a header with ``new`` columns added."""
        self._file.close()
        allow_large_fields()
        widened = temp_path_beside(self.path)
        try:
            with self._open(self._tmp, "r") as old, self._open(widened, "x") as out:
                writer = csv.writer(out, delimiter=self.delimiter, lineterminator="\n")
                reader = csv.reader(old, delimiter=self.delimiter)
                if self._columns:
                    next(reader, None)  # the old header
                writer.writerow([*self._columns, *new])
                padding = [""] * len(new)
                for cells in reader:
                    writer.writerow([*cells, *padding])
            os.replace(widened, self._tmp)
        except BaseException:
            widened.unlink(missing_ok=True)
            raise
        self._add_columns(new)
        self._file = self._open(self._tmp, "a")
        self._writer = csv.writer(self._file, delimiter=self.delimiter, lineterminator="\n")

    def _finish(self) -> None:
        if self._buffer is not None:
            self._write_header_and_buffer()
        self._file.close()

    def _discard(self) -> None:
        self._file.close()


class TsvWriter(CsvWriter):
    """Writes dict rows as tab-separated values (same rules as :class:`CsvWriter`)."""

    container = "tsv"
    delimiter = "\t"
