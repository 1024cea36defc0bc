"""JSON Lines: a fast streaming reader and a writer.

The reader is the hot path of ``ftprep validate``, so it adds as little as it can to a bare
``orjson.loads`` loop: it reads the file in binary chunks of :data:`CHUNK_SIZE`, splits them on
``\\n`` and hands each line's bytes straight to ``orjson.loads`` (which checks UTF-8 itself). Only a
line that fails is looked at again, to say why. Memory stays constant whatever the file's size; a
line longer than a chunk is joined from its pieces, so a single huge line works too.

Rules: a UTF-8 byte order mark at the start of the file is dropped; a trailing ``\\r`` (CRLF) is
JSON whitespace and is ignored; blank and whitespace-only lines are skipped silently but still
count in the line numbers; a last line without a newline is fine, and one that stops inside a JSON
value is reported as ``truncated``.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from typing import Any, BinaryIO

import orjson

from ftprep.errors import FormatError
from ftprep.io.atomic import BinaryRowWriter
from ftprep.io.jsonencode import dumps_bytes
from ftprep.io.rows import RawRow, error_row

#: Bytes read per ``read`` call (at least 3, so a byte order mark fits in the first one).
CHUNK_SIZE = 16 << 20

_BOM = b"\xef\xbb\xbf"

#: ``(line, value, error, raw)``: ``value`` is ``None`` exactly when ``error`` is set, and ``raw``
#: then holds the line's bytes (without the line ending).
JsonlValue = tuple[int, Any, str | None, bytes | None]


def open_binary(path: str | os.PathLike[str], *, buffered: bool = True) -> BinaryIO:
    """Open ``path`` for binary reading, turning OS errors into :class:`FormatError`.

    ``buffered=False`` gives the raw file, for readers that only make large ``read`` calls.
    """
    try:
        return open(path, "rb", buffering=-1 if buffered else 0)
    except FileNotFoundError as exc:
        raise FormatError("no such file", file=os.fspath(path)) from exc
    except IsADirectoryError as exc:
        raise FormatError("is a directory, not a file", file=os.fspath(path)) from exc
    except OSError as exc:
        raise FormatError(f"cannot open: {exc.strerror or exc}", file=os.fspath(path)) from exc


def iter_jsonl_values(path: str | os.PathLike[str]) -> Iterator[JsonlValue]:
    """Yield a :data:`JsonlValue` tuple for every non-blank line of a JSON Lines file.

    The low-overhead form of :func:`iter_jsonl` for hot loops. The file is opened at once, so a
    missing file raises :class:`FormatError` here rather than on the first ``next``.
    """
    return _values(iter_line_batches(path))


def iter_jsonl(path: str | os.PathLike[str]) -> Iterator[RawRow]:
    """Yield a :class:`RawRow` for every non-blank line of a JSON Lines file (see module doc)."""
    return _rows(iter_jsonl_values(path))


def _rows(values: Iterator[JsonlValue]) -> Iterator[RawRow]:
    for line, value, error, raw in values:
        if error is None:
            yield RawRow(line, value)
        else:
            yield error_row(line, error, raw or b"")


def _values(batches: Iterator[LineBatch]) -> Iterator[JsonlValue]:
    loads = orjson.loads
    decode_error = orjson.JSONDecodeError
    line_no = 0
    for lines, final in batches:
        first = line_no + 1
        for line_no, line in enumerate(lines, first):
            try:
                value = loads(line)
            except decode_error:
                error = describe_line_error(line, final=final)
                if error is not None:
                    yield line_no, None, error, line.rstrip(b"\r")
                continue
            yield line_no, value, None, None


#: ``(lines, final)``: lines without their ``\n`` (blank ones too, so that positions count lines);
#: ``final`` is True for the last batch when the file's last line has no newline (it is alone then).
LineBatch = tuple[list[bytes], bool]


def iter_line_batches(
    path: str | os.PathLike[str], start: int = 0, end: int | None = None
) -> Iterator[LineBatch]:
    """Yield the lines of bytes ``[start, end)`` of a file in batches of about one chunk each.

    ``start`` is 0 or just after a ``\n``; ``end`` is None (the end of the file) or just after a
    ``\n`` (see :func:`split_line_ranges`). A byte order mark is dropped at offset 0 only. The file
    is opened at once, so a missing file raises :class:`FormatError` here.
    """
    return _batches(iter_line_blocks(path, start, end))


def _batches(blocks: Iterator[tuple[bytes, int, int, bool]]) -> Iterator[LineBatch]:
    for data, begin, stop, final in blocks:
        lines = (data if begin == 0 and stop == len(data) else data[begin:stop]).split(b"\n")
        del data
        if not final:
            lines.pop()  # after the block's last newline
        yield lines, final
        del lines


def iter_line_blocks(
    path: str | os.PathLike[str], start: int = 0, end: int | None = None
) -> Iterator[tuple[bytes, int, int, bool]]:
    """Whole lines of bytes ``[start, end)`` of a file, as ``(data, begin, stop, final)``: the
    lines are ``data[begin:stop]``, which ends with a ``\n`` except in one last block holding
    the file's last line when that has no newline (``final`` True). Each read chunk is handed
    on as it is, no copy made: a line that two chunks share comes alone, in a block of its
    own. For readers that find the lines themselves, slicing a ``memoryview`` of the data
    instead of making a bytes object of every line.

    ``start`` and ``end`` are as for :func:`iter_line_batches`; a byte order mark is dropped at
    offset 0 only. The file is opened at once, so a missing file raises :class:`FormatError`
    here.
    """
    return _blocks(open_binary(path, buffered=False), start, end)


def _blocks(file: BinaryIO, start: int, end: int | None) -> Iterator[tuple[bytes, int, int, bool]]:
    with file:
        left = (os.fstat(file.fileno()).st_size if end is None else end) - start
        if start:
            file.seek(start)
        carry: list[bytes] = []  # the pieces of a line that the chunks read so far cut
        while left > 0 and (data := file.read(min(CHUNK_SIZE, left))):
            begin = len(_BOM) if start == 0 and data.startswith(_BOM) else 0
            start = -1  # no byte order mark after the first chunk
            left -= len(data)
            first = data.find(b"\n", begin) + 1
            if not first:  # the middle of a line longer than a chunk
                if begin < len(data):
                    carry.append(data[begin:])
                continue
            if carry:
                carry.append(data[begin:first])
                line = b"".join(carry)
                yield line, 0, len(line), False
                carry.clear()
                begin = first
            stop = data.rfind(b"\n") + 1
            if stop > begin:
                yield data, begin, stop, False
            if stop < len(data):
                carry.append(data[stop:])
        if carry:
            last = b"".join(carry)
            yield last, 0, len(last), True


def split_line_ranges(
    path: str | os.PathLike[str], parts: int, *, min_bytes: int = 1
) -> list[tuple[int, int]]:
    """Cut a file into at most ``parts`` byte ranges ``[start, end)`` that end at newlines.

    Every range but the last ends just after a ``\n``; the last ends at the end of the file.
    Ranges are about equal in size and at least ``min_bytes`` long (the last may be shorter).
    """
    size = os.path.getsize(path)
    parts = max(1, min(parts, size // max(min_bytes, 1)))
    cuts = [0]
    with open_binary(path, buffered=False) as file:
        for k in range(1, parts):
            cut = _next_line_start(file, max(size * k // parts, cuts[-1]))
            if cut >= size:
                break
            if cut > cuts[-1]:
                cuts.append(cut)
    cuts.append(size)
    return list(itertools.pairwise(cuts))


def _next_line_start(file: BinaryIO, pos: int) -> int:
    """The offset just after the first ``\n`` at or after ``pos`` (the file's size if none)."""
    file.seek(pos)
    while block := file.read(1 << 16):
        found = block.find(b"\n")
        if found >= 0:
            return pos + found + 1
        pos += len(block)
    return pos


def describe_line_error(line: bytes, *, final: bool) -> str | None:
    """Why ``orjson.loads(line)`` failed, or ``None`` for a blank line (not an error).

    ``final`` says the line is the last of the file and has no newline, so a value cut short there
    is reported as ``truncated``. Columns are 1-based characters; bytes are 1-based too.
    """
    if not line.strip():
        return None
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"invalid UTF-8 at byte {exc.start + 1} of the line"
    try:
        orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        if exc.msg.startswith("unexpected end of data") or exc.pos >= len(text.rstrip()):
            if final:
                return "truncated: file ends inside a JSON value"
            return f"invalid JSON: line ends inside a JSON value (column {exc.colno})"
        return f"invalid JSON: {exc.msg} at column {exc.colno}"
    return "invalid JSON"  # not reached: orjson is deterministic; never drop a line silently


class JsonlWriter(BinaryRowWriter):
    """Writes one compact JSON value per line (UTF-8, ``\\n`` endings), atomically.

    Rows orjson cannot encode (integers beyond 64 bits, non-string keys) are encoded by the standard
    library instead; a row neither can encode raises :class:`FormatError`.
    """

    container = "jsonl"

    def _write(self, row: dict[str, Any]) -> None:
        try:
            data = dumps_bytes(row, newline=True)
        except ValueError as exc:
            raise FormatError(str(exc), file=str(self.path), line=self.count + 1) from exc
        self._file.write(data)
