"""Parquet files (and directories of Parquet shards): a streaming reader and a writer.

Needs the optional ``pyarrow`` dependency (``pip install 'ftprep[parquet]'``).

Reading goes record batch by record batch (``ParquetFile.iter_batches``), so memory stays flat.
``line`` is the 1-based row number, counted per split. Because Arrow cannot tell an absent key from
a null one, keys whose value is ``None`` are dropped at the top level and inside nested structs
(see :mod:`ftprep.io.arrow_rows`); columns written as JSON text by :class:`ParquetRowWriter` are
decoded back. In a directory, shards are read in name order; a shard named the Hugging Face Hub
way (``train-00000-of-00002.parquet``) gives its rows that ``split``.

Writing spills rows to a temporary file and learns one schema over all of them before writing
(see :class:`ftprep.io.arrow_rows.ArrowSpool`), so heterogeneous rows neither crash nor lose data.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ftprep.errors import DetectionError, FormatError
from ftprep.io.arrow_rows import (
    BATCH_ROWS,
    ArrowSpool,
    json_columns_of,
    require_pyarrow,
    rows_from_batch,
)
from ftprep.io.atomic import RowWriter, temp_path_beside
from ftprep.io.rows import RawRow

PARQUET_SUFFIXES = (".parquet", ".pq")

_HUB_SHARD = re.compile(r"^(?P<split>\w+?)-\d+-of-\d+(?:-[0-9a-f]+)?\.(?:parquet|pq)$")


def parquet_shards(directory: Path) -> list[Path]:
    """The Parquet files under ``directory`` (any depth), hidden ones left out, in name order."""
    found = [
        path
        for path in directory.rglob("*")
        if path.suffix.lower() in PARQUET_SUFFIXES
        and path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(directory).parts)
    ]
    return sorted(found)


def shard_split(path: Path) -> str | None:
    """The split a Hub-style shard name gives (``train-00000-of-00002.parquet`` -> ``train``)."""
    match = _HUB_SHARD.match(path.name)
    return match.group("split") if match else None


def iter_parquet(path: str | os.PathLike[str]) -> Iterator[RawRow]:
    """Yield a :class:`RawRow` per row of a Parquet file or a directory of Parquet shards."""
    pa = require_pyarrow("Parquet files", "parquet")
    root = Path(path)
    if root.is_dir():
        shards = parquet_shards(root)
        if not shards:
            raise DetectionError(f"{root}: directory holds no *.parquet files")
        return _rows(pa, [(shard, shard_split(shard)) for shard in shards])
    if not root.exists():
        raise FormatError("no such file", file=str(root))
    return _rows(pa, [(root, None)])


def _rows(pa: Any, shards: list[tuple[Path, str | None]]) -> Iterator[RawRow]:
    import pyarrow.parquet as pq

    lines: dict[str | None, int] = {}
    for shard, split in shards:
        line = lines.get(split, 0)
        try:
            parquet = pq.ParquetFile(shard)
            json_columns = json_columns_of(parquet.schema_arrow.metadata)
            for batch in parquet.iter_batches(batch_size=BATCH_ROWS):
                for row in rows_from_batch(batch, json_columns):
                    line += 1
                    yield RawRow(line, row, split=split)
        except (pa.ArrowException, OSError) as exc:
            raise FormatError(
                f"not a readable Parquet file: {exc}",
                file=str(shard),
                line=line + 1 if line else None,
            ) from exc
        lines[split] = line


class ParquetRowWriter(RowWriter):
    """Writes dict rows to one Parquet file with nested columns as native Arrow nested types.

    Rows are spilled to a temporary JSON Lines file beside the target and converted when the writer
    closes, in row groups of :data:`~ftprep.io.arrow_rows.BATCH_ROWS` rows. Columns whose types
    cannot be unified are stored as JSON text and listed in the file's metadata
    (:data:`~ftprep.io.arrow_rows.JSON_COLUMNS_KEY`); :func:`iter_parquet` decodes them back.
    """

    container = "parquet"

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._pa = require_pyarrow("Parquet output", "parquet")
        super().__init__(path)
        self._spool = ArrowSpool(self._pa, temp_path_beside(self.path, ".spill.jsonl"), str(path))

    def _write(self, row: dict[str, Any]) -> None:
        spool_row(self._spool, row, str(self.path), self.count + 1)

    def _finish(self) -> None:
        import pyarrow.parquet as pq

        try:
            schema = self._spool.schema()
            with pq.ParquetWriter(self._tmp, schema) as writer:
                for table in self._spool.tables(schema):
                    writer.write_table(table)
        except (self._pa.ArrowException, OSError) as exc:
            raise FormatError(f"cannot write Parquet: {exc}", file=str(self.path)) from exc
        finally:
            self._spool.discard()

    def _discard(self) -> None:
        self._spool.discard()


def spool_row(spool: ArrowSpool, row: dict[str, Any], target: str, number: int) -> None:
    """Add ``row`` to ``spool``, raising :class:`FormatError` for a non-object or unencodable row."""
    if not isinstance(row, dict):
        raise FormatError(
            f"a row must be an object, got {type(row).__name__}", file=target, line=number
        )
    try:
        spool.add(row)
    except ValueError as exc:
        raise FormatError(str(exc), file=target, line=number) from exc
