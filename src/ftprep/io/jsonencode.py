"""JSON encoding for writers: orjson, with the standard library as the fallback for what it refuses.

orjson refuses integers beyond 64 bits and dicts with non-string keys; for those rows the standard
library encoder is used instead (non-string keys become strings, as JSON requires). A value neither
can encode (an arbitrary object, NaN, a lone surrogate) raises :class:`ValueError` naming why.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

_APPEND_NEWLINE = orjson.OPT_APPEND_NEWLINE


def dumps_bytes(value: Any, *, newline: bool = False, indent: bool = False) -> bytes:
    """``value`` as compact UTF-8 JSON (two-space indented with ``indent``), optionally + ``\\n``."""
    option = (_APPEND_NEWLINE if newline else 0) | (orjson.OPT_INDENT_2 if indent else 0)
    try:
        return orjson.dumps(value, option=option)
    except orjson.JSONEncodeError:
        pass
    try:
        text = json.dumps(
            value,
            ensure_ascii=False,
            allow_nan=False,
            indent=2 if indent else None,
            separators=None if indent else (",", ":"),
        )
        data = text.encode("utf-8")
    except (TypeError, ValueError, RecursionError, UnicodeEncodeError) as exc:
        raise ValueError(f"cannot encode as JSON: {exc}") from exc
    return data + b"\n" if newline else data


def dumps_text(value: Any) -> str:
    """``value`` as compact JSON text (see :func:`dumps_bytes`)."""
    return dumps_bytes(value).decode("utf-8")
