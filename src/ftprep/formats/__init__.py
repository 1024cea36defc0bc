"""Row formats, their registry and auto-detection."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ftprep.errors import DetectionError
from ftprep.formats.alpaca import AlpacaFormat
from ftprep.formats.base import Format, Losses, Unconvertible
from ftprep.formats.bfcl import BfclFormat
from ftprep.formats.completion import CompletionFormat
from ftprep.formats.mapping import ColumnMapping, MappedFormat, load_dataset_info
from ftprep.formats.oasst import OasstTreeFormat
from ftprep.formats.openai import OpenAIChatFormat
from ftprep.formats.sharegpt import ShareGPTFormat, ShareGPTTags
from ftprep.formats.text import TextFormat

FORMATS: dict[str, type[Format]] = {
    cls.name: cls
    for cls in (
        OpenAIChatFormat,
        AlpacaFormat,
        ShareGPTFormat,
        CompletionFormat,
        TextFormat,
        OasstTreeFormat,
        BfclFormat,
    )
}
WRITABLE = tuple(name for name, cls in FORMATS.items() if cls.writable)

__all__ = [
    "FORMATS",
    "WRITABLE",
    "ColumnMapping",
    "Format",
    "Losses",
    "MappedFormat",
    "ShareGPTTags",
    "Unconvertible",
    "detect_format",
    "get_format",
    "load_dataset_info",
]


def get_format(name: str) -> Format:
    try:
        return FORMATS[name]()
    except KeyError:
        raise DetectionError(
            f"unknown format {name!r}; known formats: {', '.join(FORMATS)}"
        ) from None


def detect_format(sample: Iterable[Any], *, file: str = "input") -> Format:
    """The format that best explains the object rows of ``sample`` (the first rows of a file).

    Raises :class:`DetectionError` naming the keys seen and how to say the format, when no format
    fits or two fit equally well.
    """
    rows = [row for row in sample if isinstance(row, dict)]
    if not rows:
        raise DetectionError(
            f"{file}: no JSON object among the first rows, so the format cannot be told; "
            "check the file, or name it with --from FORMAT"
        )
    candidates = [cls() for cls in FORMATS.values()]
    scores = {fmt.name: sum(fmt.detect(row) for row in rows) / len(rows) for fmt in candidates}
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    (best, top), (_, second) = ranked[0], ranked[1]
    if top < 0.5 or top - second < 0.2:
        keys = sorted({k for row in rows[:20] for k in row})[:20]
        raise DetectionError(
            f"{file}: cannot tell the format from the keys {keys}; "
            f"name it with --from ({', '.join(FORMATS)}) or map the columns with "
            "--map prompt=COL,response=COL / --map messages=COL,role_tag=...,content_tag=..."
        )
    return get_format(best)
