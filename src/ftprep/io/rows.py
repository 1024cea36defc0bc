"""The unit every container reader yields: one decoded row, or the reason it could not be decoded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: Every container ftprep reads and writes, by the name ``--container`` takes.
CONTAINERS: tuple[str, ...] = ("jsonl", "json", "csv", "tsv", "parquet", "hf", "hub")

#: An error row keeps at most this many characters of the text it failed on.
RAW_LIMIT = 10_000


@dataclass(slots=True)
class RawRow:
    """One row read from a container, before any format is applied.

    ``line`` is the 1-based physical line for JSONL and CSV/TSV (for CSV, the line where the record
    starts; the header is line 1), and the 1-based row or element number for JSON arrays, Parquet
    and Hugging Face datasets. ``value`` is the decoded object (usually a dict) and is ``None`` when
    ``error`` says why the row could not be decoded; ``raw`` then holds the offending text (cut to
    :data:`RAW_LIMIT` characters) so it can be written to a rejects file. ``split`` names the
    ``DatasetDict`` split (or Parquet shard split) the row came from, else ``None``.
    """

    line: int
    value: Any
    error: str | None = None
    raw: str | None = None
    split: str | None = None


def raw_text(data: bytes | str) -> str:
    """``data`` as text for an error row: undecodable bytes replaced, cut to :data:`RAW_LIMIT`."""
    if isinstance(data, bytes):
        data = data[: RAW_LIMIT * 4].decode("utf-8", errors="replace")
    return data[:RAW_LIMIT]


def error_row(line: int, error: str, raw: bytes | str, split: str | None = None) -> RawRow:
    """An error :class:`RawRow` for ``line`` with the offending ``raw`` text."""
    return RawRow(line=line, value=None, error=error, raw=raw_text(raw), split=split)
