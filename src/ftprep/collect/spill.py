"""Sorting more rows than memory should hold: sorted runs spilled to disk, merged back in order.

Rows are tuples whose first items decide the order (a session id, a time, a line number: never
equal, so what follows them is never compared). Up to ``buffer`` rows are kept in memory; each
full buffer is sorted and written to a temporary file in blocks (``marshal``: plain tuples,
lists, strings and numbers, read back twice as fast as pickle), and :meth:`SpillSorter.sorted`
merges the files and the last buffer with a heap, reading one block of each at a time. Memory is
the buffer plus one block per run, whatever the input's size.
"""

from __future__ import annotations

import heapq
import marshal
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

#: rows per block of a run
_BLOCK = 4096


class SpillSorter:
    """Collects rows with :meth:`add`; :meth:`sorted` gives them back in order, once."""

    def __init__(self, buffer: int, folder: str | os.PathLike[str] | None = None) -> None:
        if buffer < 1:
            raise ValueError(f"buffer must be at least 1, got {buffer}")
        self.buffer = buffer
        self._folder = folder
        self._rows: list[tuple[Any, ...]] = []
        self._runs: list[Path] = []
        self._tmp: tempfile.TemporaryDirectory[str] | None = None

    @property
    def spilled(self) -> int:
        """How many sorted runs went to disk."""
        return len(self._runs)

    def add(self, row: tuple[Any, ...]) -> None:
        rows = self._rows
        rows.append(row)
        if len(rows) >= self.buffer:
            self._spill()

    def _spill(self) -> None:
        if self._tmp is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="ftprep-sort-", dir=self._folder)
        self._rows.sort()
        path = Path(self._tmp.name) / f"run{len(self._runs):05d}.marshal"
        with path.open("wb") as file:
            rows = self._rows
            for start in range(0, len(rows), _BLOCK):
                block = marshal.dumps(rows[start : start + _BLOCK])
                file.write(len(block).to_bytes(8, "little") + block)
        self._runs.append(path)
        self._rows = []

    def sorted(self) -> Iterator[tuple[Any, ...]]:
        """Every row added, in order; the temporary files are removed at the end."""
        self._rows.sort()
        try:
            if not self._runs:
                yield from self._rows
            else:
                yield from heapq.merge(*(_read_run(p) for p in self._runs), self._rows)
        finally:
            self._rows = []
            self.close()

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None
        self._runs = []


def _read_run(path: Path) -> Iterator[tuple[Any, ...]]:
    with path.open("rb") as file:  # whole blocks: marshal.load on a file reads in tiny pieces
        while header := file.read(8):
            yield from marshal.loads(file.read(int.from_bytes(header, "little")))
