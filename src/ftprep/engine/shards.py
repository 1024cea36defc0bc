"""Cutting the inputs into shards of rows, and turning a shard back into rows in the worker.

A shard is ``chunk_size`` rows of one input, so the cut depends only on the input. JSON Lines
inputs travel as raw line bytes and are decoded by the worker (the parent only splits lines);
other containers travel as decoded :class:`RawRow` objects.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import orjson

from ftprep.io import RawRow, iter_rows
from ftprep.io.jsonl import describe_line_error, open_binary
from ftprep.io.rows import error_row
from ftprep.reading import Source

_BOM = b"\xef\xbb\xbf"


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


def iter_shards(source: Source, size: int) -> Iterator[Lines | list[RawRow]]:
    """The rows of ``source`` in shards of ``size`` rows (physical lines for JSON Lines)."""
    if source.container != "jsonl":
        rows = iter_rows(source.path, container=source.container)
        while batch := list(itertools.islice(rows, size)):
            yield batch
        return
    with open_binary(source.path) as file:
        numbered = enumerate(file, 1)
        while lines := list(itertools.islice(numbered, size)):
            if lines[0][0] == 1 and lines[0][1].startswith(_BOM):
                lines[0] = (1, lines[0][1][len(_BOM) :])
            yield Lines(lines, final=not lines[-1][1].endswith(b"\n"))
