"""One entry point for writing any container: :func:`open_writer`."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from ftprep.errors import DetectionError, FormatError
from ftprep.io.atomic import RowWriter
from ftprep.io.csvwriter import CsvWriter, TsvWriter
from ftprep.io.hfdir import HfDatasetWriter
from ftprep.io.jsonarray import JsonArrayWriter
from ftprep.io.jsonl import JsonlWriter
from ftprep.io.parquet import ParquetRowWriter
from ftprep.io.readers import check_container

_BY_SUFFIX = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
}


def writer_container(path: str | os.PathLike[str]) -> str:
    """The container an output path's extension names; :class:`DetectionError` when none does."""
    suffix = Path(path).suffix.lower()
    if suffix not in _BY_SUFFIX:
        raise DetectionError(
            f"{os.fspath(path)}: cannot tell the output container from the extension "
            f"{suffix or '(none)'!r}; use .jsonl, .json, .csv, .tsv or .parquet, or name it with "
            "--container (hf for a Hugging Face datasets directory)"
        )
    return _BY_SUFFIX[suffix]


def open_writer(
    path: str | os.PathLike[str], *, container: str | None = None, indent: bool = False
) -> RowWriter:
    """A :class:`~ftprep.io.atomic.RowWriter` for ``path``; use it as a context manager.

    ``container`` defaults to the one the extension names (``.jsonl``/``.ndjson``, ``.json``,
    ``.csv``, ``.tsv``, ``.parquet``/``.pq``); ``"hf"`` writes a ``datasets.save_to_disk``
    directory and needs the ``datasets`` extra. ``indent`` pretty-prints a JSON array and is
    ignored by the other containers. Output is atomic: the target changes only on a clean close.
    """
    kind = writer_container(path) if container is None else check_container(container)
    if kind == "hub":
        raise FormatError(
            "a Hub dataset repository is read-only here; write hf (save_to_disk) or parquet",
            file=os.fspath(path),
        )
    if kind == "json":
        return JsonArrayWriter(path, indent=indent)
    writer_class: Callable[[str | os.PathLike[str]], RowWriter] = {
        "jsonl": JsonlWriter,
        "csv": CsvWriter,
        "tsv": TsvWriter,
        "parquet": ParquetRowWriter,
        "hf": HfDatasetWriter,
    }[kind]
    return writer_class(path)
