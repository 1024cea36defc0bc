"""Hugging Face ``datasets`` directories (``save_to_disk`` output): a reader and a writer.

Reading needs only ``pyarrow``, not ``datasets``: a ``Dataset`` directory holds ``state.json``
(listing its ``data-0000x-of-0000N.arrow`` files, Arrow IPC streams) and ``dataset_info.json``; a
``DatasetDict`` directory holds ``dataset_dict.json`` naming its splits, one ``Dataset``
directory each, and rows come with ``split`` set. A directory of Parquet shards is read as Parquet.
``line`` is the 1-based row number within the split; nulls are pruned as for Parquet (see
:mod:`ftprep.io.arrow_rows`).

Writing needs ``datasets``; see :class:`HfDatasetWriter`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson

from ftprep.errors import DetectionError, FormatError, MissingExtraError
from ftprep.io.arrow_rows import ArrowSpool, json_columns_of, require_pyarrow, rows_from_batch
from ftprep.io.atomic import RowWriter, remove_path, temp_path_beside
from ftprep.io.parquet import iter_parquet, parquet_shards, spool_row
from ftprep.io.rows import RawRow

#: A file ftprep writes beside ``save_to_disk`` output listing columns stored as JSON text.
SIDECAR = "ftprep.json"


def is_dataset_dir(directory: Path) -> bool:
    """Whether ``directory`` looks like ``Dataset.save_to_disk`` or ``DatasetDict`` output."""
    if (directory / "dataset_dict.json").is_file():
        return True
    return (directory / "state.json").is_file() or (
        (directory / "dataset_info.json").is_file() and any(directory.glob("*.arrow"))
    )


def iter_hf_dir(path: str | os.PathLike[str]) -> Iterator[RawRow]:
    """Yield a :class:`RawRow` per row of a ``save_to_disk`` directory (or Parquet shards)."""
    root = Path(path)
    if not root.is_dir():
        raise FormatError("not a directory (a Hugging Face dataset is a directory)", file=str(root))
    if not is_dataset_dir(root):
        if parquet_shards(root):
            return iter_parquet(root)
        raise DetectionError(
            f"{root}: no dataset_dict.json, state.json, *.arrow or *.parquet files in this directory"
        )
    pa = require_pyarrow("Hugging Face datasets directories", "datasets")
    if (root / "dataset_dict.json").is_file():
        return _rows(pa, [(name, root / name) for name in _split_names(root)])
    return _rows(pa, [(None, root)])


def _split_names(root: Path) -> list[str]:
    listing = root / "dataset_dict.json"
    try:
        names = orjson.loads(listing.read_bytes())["splits"]
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError) as exc:
        raise FormatError(f"unreadable split list: {exc}", file=str(listing)) from exc
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise FormatError("'splits' must be a list of names", file=str(listing))
    return names


def arrow_files(directory: Path) -> list[Path]:
    """The Arrow data files of one ``Dataset`` directory, in ``state.json`` order."""
    state = directory / "state.json"
    if state.is_file():
        try:
            listed = orjson.loads(state.read_bytes())["_data_files"]
            return [directory / entry["filename"] for entry in listed]
        except (OSError, orjson.JSONDecodeError, KeyError, TypeError) as exc:
            raise FormatError(f"unreadable data file list: {exc}", file=str(state)) from exc
    if not directory.is_dir():
        raise FormatError("split directory is missing", file=str(directory))
    return sorted(directory.glob("*.arrow"))


def _sidecar_json_columns(directory: Path) -> frozenset[str]:
    try:
        names = orjson.loads((directory / SIDECAR).read_bytes()).get("json_columns", [])
    except (OSError, orjson.JSONDecodeError, AttributeError):
        return frozenset()
    return frozenset(name for name in names if isinstance(name, str))


def _rows(pa: Any, splits: list[tuple[str | None, Path]]) -> Iterator[RawRow]:
    for split, directory in splits:
        line = 0
        sidecar = _sidecar_json_columns(directory)
        for file in arrow_files(directory):
            for batch, metadata in _arrow_batches(pa, file):
                for row in rows_from_batch(batch, sidecar | json_columns_of(metadata)):
                    line += 1
                    yield RawRow(line, row, split=split)


def _arrow_batches(pa: Any, file: Path) -> Iterator[tuple[Any, Any]]:
    """Record batches of an Arrow IPC stream file (or, failing that, an IPC random-access file)."""
    try:
        with pa.memory_map(str(file)) as source:
            try:
                reader = pa.ipc.open_stream(source)
            except pa.ArrowInvalid:
                source.seek(0)
                whole = pa.ipc.open_file(source)
                metadata = whole.schema.metadata
                for index in range(whole.num_record_batches):
                    yield whole.get_batch(index), metadata
                return
            metadata = reader.schema.metadata
            for batch in reader:
                yield batch, metadata
    except (pa.ArrowException, OSError) as exc:
        raise FormatError(f"not a readable Arrow file: {exc}", file=str(file)) from exc


def _require_datasets() -> Any:
    try:
        import datasets
    except ImportError as exc:
        raise MissingExtraError("Hugging Face datasets output", "datasets", "datasets") from exc
    return datasets


@contextmanager
def _progress_bars_off(datasets: Any) -> Iterator[None]:
    """Silence ``datasets``' progress bars for the block, restoring the setting after."""
    was_disabled = getattr(datasets, "are_progress_bars_disabled", lambda: True)()
    if not was_disabled:
        datasets.disable_progress_bars()
    try:
        yield
    finally:
        if not was_disabled:
            datasets.enable_progress_bars()


class HfDatasetWriter(RowWriter):
    """Writes a ``Dataset.save_to_disk`` directory that ``datasets.load_from_disk`` opens.

    Rows are spilled to a temporary file and typed like Parquet output (one unified schema,
    nested columns native, un-unifiable columns as JSON text, listed in an ``ftprep.json`` file
    beside the data, which :func:`iter_hf_dir` reads). At close the whole table is built in memory
    (as Arrow, not Python objects) and saved to a temporary directory, which then replaces the
    target; a pre-existing target is renamed aside first and removed after, so there is a moment
    when neither is at the target path. A dataset of no rows is written as ``datasets`` writes
    one (no data file), which ``datasets.load_from_disk`` itself cannot open; ftprep reads it as
    empty.
    """

    container = "hf"

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._datasets = _require_datasets()
        self._pa = require_pyarrow("Hugging Face datasets output", "datasets")
        super().__init__(path)
        self._spool = ArrowSpool(self._pa, temp_path_beside(self.path, ".spill.jsonl"), str(path))

    def _write(self, row: dict[str, Any]) -> None:
        spool_row(self._spool, row, str(self.path), self.count + 1)

    def _finish(self) -> None:
        try:
            schema = self._spool.schema()
            tables = list(self._spool.tables(schema))
        finally:
            self._spool.discard()
        table = self._pa.concat_tables(tables) if tables else schema.empty_table()
        del tables
        with _progress_bars_off(self._datasets):
            self._datasets.Dataset(table).save_to_disk(str(self._tmp))
        if self._spool.json_columns:
            sidecar = {"json_columns": self._spool.json_columns}
            (self._tmp / SIDECAR).write_bytes(orjson.dumps(sidecar))

    def _discard(self) -> None:
        self._spool.discard()

    def _commit(self) -> None:
        if not self.path.exists() and not self.path.is_symlink():
            os.replace(self._tmp, self.path)
            return
        aside = temp_path_beside(self.path, ".old")
        os.replace(self.path, aside)
        try:
            os.replace(self._tmp, self.path)
        except BaseException:
            os.replace(aside, self.path)
            raise
        remove_path(aside)
