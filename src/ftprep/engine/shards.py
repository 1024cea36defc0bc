"""Cutting the inputs into shards of rows, and turning a shard back into rows in the worker.

A shard is ``chunk_size`` rows of one input, so the cut depends only on the input. A JSON Lines
input is cut into byte ranges at line boundaries (:class:`LineRange`): the parent only finds every
``chunk_size``-th newline, hashing the bytes as it goes, and the worker reads and decodes its own
range, so no line is copied between processes. Other containers travel as decoded
:class:`RawRow` objects.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import orjson

from ftprep.io import RawRow, iter_rows
from ftprep.io.jsonl import describe_line_error, open_binary
from ftprep.io.rows import error_row
from ftprep.reading import Source

_BOM = b"\xef\xbb\xbf"
#: bytes the parent reads at a time while it looks for the cuts
_BLOCK = 1 << 23


@dataclass
class Lines:
    """Raw JSON Lines: ``(line number, bytes)``; ``final`` when the last one ends the file
    without a newline (so a value cut short there is reported as truncated)."""

    lines: list[tuple[int, bytes]]
    final: bool = False

    def rows(self) -> Iterator[RawRow]:
        loads, decode_error = orjson.loads, orjson.JSONDecodeError
        last = len(self.lines) - 1
        for k, (number, line) in enumerate(self.lines):
            try:
                yield RawRow(number, loads(line))
            except decode_error:
                error = describe_line_error(line, final=self.final and k == last)
                if error is not None:
                    yield error_row(number, error, line.rstrip(b"\r\n"))


@dataclass
class LineRange:
    """Lines ``first``, ``first + 1``... of a JSON Lines file, which fill bytes ``start`` to
    ``end``; ``final`` when the range ends the file without a newline."""

    path: str
    start: int
    end: int
    first: int
    final: bool = False

    def load(self) -> Lines:
        """The range's lines (without their newlines), read from the file."""
        with open_binary(self.path) as file:
            file.seek(self.start)
            data = file.read(self.end - self.start)
        if len(data) != self.end - self.start:
            raise OSError(f"{self.path} changed while it was read (bytes {self.start}-{self.end})")
        if self.start == 0 and data.startswith(_BOM):
            data = data[len(_BOM) :]
        parts = data.split(b"\n")
        if not parts[-1]:  # the range ends with a newline: no line after it
            parts.pop()
        return Lines(list(zip(itertools.count(self.first), parts, strict=False)), self.final)


def iter_shards(
    source: Source, size: int, hashes: dict[str, str] | None = None
) -> Iterator[LineRange | list[RawRow]]:
    """The rows of ``source`` in shards of ``size`` rows (physical lines for JSON Lines).

    For JSON Lines, when the whole file has been cut, ``hashes[source.name]`` is its sha256 (so
    the manifest does not read the file again)."""
    if source.container != "jsonl":
        rows = iter_rows(source.path, container=source.container)
        while batch := list(itertools.islice(rows, size)):
            yield batch
        return
    yield from _line_ranges(source.name, size, hashes)


def _line_ranges(path: str, size: int, hashes: dict[str, str] | None) -> Iterator[LineRange]:
    digest = hashlib.sha256()
    start, line, have = 0, 1, 0  # the current range: first byte, first line, lines so far
    offset = 0  # the file offset of ``data[0]``
    last = b"\n"
    hashed: Future[None] | None = None  # each block is hashed in a thread (hashlib lets go of
    # the GIL) while this one looks for its cuts and the shards before it run
    with open_binary(path, buffered=False) as file, ThreadPoolExecutor(1) as hasher:
        while data := file.read(_BLOCK):
            if hashed is not None:
                hashed.result()
            hashed = hasher.submit(digest.update, data)
            last = data[-1:]
            pos = data.find(b"\n") + 1
            while pos:  # a loop of memchr calls: cheaper than counting the newlines first
                have += 1
                if have == size:
                    yield LineRange(path, start, offset + pos, line)
                    start, line, have = offset + pos, line + size, 0
                pos = data.find(b"\n", pos) + 1
            offset += len(data)
        if hashed is not None:
            hashed.result()
    if offset > start:
        yield LineRange(path, start, offset, line, final=last != b"\n")
    if hashes is not None:
        hashes[path] = digest.hexdigest()
