"""Local copies of Hugging Face Hub dataset repositories, read with ``datasets`` streaming.

A dataset repository cloned from the Hub (``git clone https://huggingface.co/datasets/...``)
lays its data out in many ways: files under ``data/`` named by split, a ``README.md`` whose YAML
header lists ``configs`` with ``data_files`` patterns, JSON Lines, CSV or Parquet. ``datasets``
knows every layout: this reader hands the folder to ``datasets.load_dataset(..., streaming=True)``
and yields its rows as they stream, split by split (``split`` set on each row), in constant
memory. It needs the ``datasets`` extra and never goes online (``HF_HUB_OFFLINE`` and
``HF_DATASETS_OFFLINE`` are set for the read).

Read-only: write ``hf`` (``save_to_disk``) or Parquet instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ftprep.errors import FormatError, MissingExtraError
from ftprep.io.rows import RawRow

#: the files a Hub dataset repository keeps its rows in
DATA_SUFFIXES = (".jsonl", ".json", ".csv", ".tsv", ".parquet", ".arrow", ".txt")


def is_hub_repo(directory: Path) -> bool:
    """Whether ``directory`` looks like a Hub dataset repository: a dataset card with a YAML
    header, or data files below the top level (``data/train-*.jsonl``)."""
    card = directory / "README.md"
    if card.is_file() and card.read_text(errors="replace").startswith("---"):
        return True
    return any(
        p.is_file() and p.suffix in DATA_SUFFIXES and p.parent != directory
        for p in directory.rglob("*")
        if ".git" not in p.parts
    )


def iter_hub_repo(
    path: str | os.PathLike[str], *, config: str | None = None, split: str | None = None
) -> Iterator[RawRow]:
    """Yield a :class:`RawRow` per row of every split (or ``split``) of the repository at
    ``path`` (its ``config``, when it has several)."""
    root = Path(path)
    if not root.is_dir():
        raise FormatError("not a directory (a dataset repository is a directory)", file=str(root))
    try:
        import datasets
    except ImportError:
        raise MissingExtraError(
            "Hugging Face dataset repositories", "datasets", "datasets"
        ) from None
    return _rows(datasets, root, config, split)


def _rows(datasets: Any, root: Path, config: str | None, split: str | None) -> Iterator[RawRow]:
    with _offline():
        try:
            loaded = datasets.load_dataset(str(root), name=config, split=split, streaming=True)
        except Exception as exc:  # datasets raises many kinds for a folder it cannot read
            raise FormatError(
                f"datasets cannot read this repository: {exc}", file=str(root)
            ) from None
        splits = [(split, loaded)] if split is not None else list(loaded.items())
        for name, rows in splits:
            for number, row in enumerate(rows, 1):
                yield RawRow(number, row, split=name)


@contextmanager
def _offline() -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE")}
    os.environ.update(dict.fromkeys(saved, "1"))
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
