"""Telling a file's container from its extension and, where the extension lies, its first bytes.

- ``.jsonl`` / ``.ndjson`` -> ``jsonl``; ``.csv`` -> ``csv``; ``.tsv`` -> ``tsv``;
  ``.parquet`` / ``.pq`` -> ``parquet``.
- ``.json`` is sniffed: a file whose first line is a complete JSON object followed by another
  line starting with ``{`` is ``jsonl`` (BFCL ships JSON Lines named ``.json``); anything else
  (an array, one single object, a columnar object, or something broken, which the JSON reader
  then reports with its position) is ``json``.
- a directory is ``hf`` when it holds ``save_to_disk`` output, ``parquet`` when it holds Parquet
  shards.
- any other extension is sniffed: ``PAR1`` magic -> ``parquet``, ``{`` or ``[`` -> as for ``.json``.

Anything else raises :class:`DetectionError` naming what was seen and how to name the container.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

import orjson

from ftprep.errors import DetectionError, FormatError
from ftprep.io.hfdir import is_dataset_dir
from ftprep.io.hubrepo import is_hub_repo
from ftprep.io.jsonl import open_binary
from ftprep.io.parquet import PARQUET_SUFFIXES, parquet_shards
from ftprep.io.rows import CONTAINERS

_BY_SUFFIX = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".tsv": "tsv",
    **{suffix: "parquet" for suffix in PARQUET_SUFFIXES},
}

#: The longest first line read to decide whether a ``.json`` file is JSON Lines.
SNIFF_LIMIT = 64 << 20

_HINT = f"name it with --container jsonl (one of: {', '.join(CONTAINERS)})"


def detect_container(path: str | os.PathLike[str]) -> str:
    """The container of ``path``: one of :data:`~ftprep.io.rows.CONTAINERS`.

    Raises :class:`FormatError` when ``path`` does not exist and :class:`DetectionError` when its
    container cannot be told.
    """
    target = Path(path)
    if target.is_dir():
        return _detect_directory(target)
    if not target.exists():
        raise FormatError("no such file or directory", file=str(target))
    suffix = target.suffix.lower()
    if suffix in _BY_SUFFIX:
        return _BY_SUFFIX[suffix]
    with open_binary(target) as file:
        head = file.read(24)
        if head.startswith(b"PAR1"):
            return "parquet"
        file.seek(0)
        kind = _sniff_json(file)
    if kind is None and suffix == ".json":
        kind = "json"  # the JSON reader reports what is wrong, with its position
    if kind is None:
        seen = "an empty file" if not head else f"content starting {head!r}"
        raise DetectionError(
            f"{target}: cannot tell the container from the extension {suffix or '(none)'!r} "
            f"and {seen}; {_HINT}"
        )
    return kind


def _detect_directory(directory: Path) -> str:
    if is_dataset_dir(directory):
        return "hf"
    if parquet_shards(directory):
        return "parquet"
    if is_hub_repo(directory):
        return "hub"
    raise DetectionError(
        f"{directory}: a directory without dataset_dict.json, state.json, *.arrow or *.parquet "
        "files, and no dataset repository (README.md with a YAML header, data files in folders); "
        "pass a data file, a Hugging Face save_to_disk directory or a dataset repository"
    )


def _sniff_json(file: BinaryIO) -> str | None:
    """``jsonl`` or ``json`` for content starting with ``{`` or ``[``, else ``None``."""
    first = _first_content_line(file)
    if first is None:
        return None
    if first[:1] == b"[":
        return "json"
    if first[:1] != b"{":
        return None
    if len(first) >= SNIFF_LIMIT or not first.endswith(b"\n"):
        return "json"  # one huge line or no second line: a single document
    try:
        orjson.loads(first)
    except orjson.JSONDecodeError:
        return "json"  # a pretty-printed object
    second = _first_content_line(file)
    return "jsonl" if second is not None and second[:1] == b"{" else "json"


def _first_content_line(file: BinaryIO) -> bytes | None:
    """The next non-blank line (left-stripped, BOM removed), or ``None`` at the end of the file."""
    while True:
        line = file.readline(SNIFF_LIMIT)
        if not line:
            return None
        line = line.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r")
        if line.strip():
            return line
