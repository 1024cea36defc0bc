"""One entry point for reading any container: :func:`iter_rows`."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

from ftprep.errors import DetectionError, FormatError
from ftprep.io.csvfile import iter_csv
from ftprep.io.detect import detect_container
from ftprep.io.hfdir import iter_hf_dir
from ftprep.io.hubrepo import iter_hub_repo
from ftprep.io.jsonarray import iter_json_document
from ftprep.io.jsonl import iter_jsonl
from ftprep.io.parquet import iter_parquet
from ftprep.io.rows import CONTAINERS, RawRow

_READERS: dict[str, Callable[[str | os.PathLike[str]], Iterator[RawRow]]] = {
    "jsonl": iter_jsonl,
    "json": iter_json_document,
    "csv": iter_csv,
    "tsv": partial(iter_csv, delimiter="\t"),
    "parquet": iter_parquet,
    "hf": iter_hf_dir,
    "hub": iter_hub_repo,
}


def check_container(container: str) -> str:
    """``container`` if it is one of :data:`~ftprep.io.rows.CONTAINERS`, else DetectionError."""
    if container not in CONTAINERS:
        raise DetectionError(
            f"unknown container {container!r}; expected one of: {', '.join(CONTAINERS)}"
        )
    return container


def iter_rows(path: str | os.PathLike[str], *, container: str | None = None) -> Iterator[RawRow]:
    """Yield a :class:`RawRow` for every row of ``path``, streaming where the container allows.

    ``container`` (one of :data:`~ftprep.io.rows.CONTAINERS`) overrides detection by
    :func:`~ftprep.io.detect.detect_container`. Rows that cannot be decoded come back as error rows
    (``error`` set) for the caller to count or reject; problems with the whole input (missing file,
    unknown container, unreadable Parquet) raise :class:`FormatError` or :class:`DetectionError`.
    Detection and opening happen at once, not on the first ``next``.

    JSON Lines, CSV/TSV, Parquet and Hugging Face directories stream in constant memory; a
    whole-document JSON file is loaded whole.
    """
    if container is None:
        container = detect_container(path)
    else:
        check_container(container)
        if not Path(path).exists():
            raise FormatError("no such file or directory", file=os.fspath(path))
    return _READERS[container](path)
