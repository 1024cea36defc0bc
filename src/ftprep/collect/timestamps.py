"""Timestamps as logs write them, read as UTC epoch seconds.

ISO 8601 strings (``2024-05-01T12:30:00Z``, ``2024-05-01 12:30:00+02:00``, a bare date), epoch
seconds, milliseconds or microseconds (as numbers or digit strings), and ``datetime`` objects (what
a database driver returns). A time without a zone is taken as UTC.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

_UTC = dt.UTC
#: epoch values above these are milliseconds, then microseconds (years 5138 and 5138 again)
_MILLIS = 1e11
_MICROS = 1e14


def to_epoch(value: Any) -> float:
    """``value`` as UTC epoch seconds; ``ValueError`` says why it is not a timestamp."""
    if isinstance(value, bool):
        raise ValueError(f"not a timestamp: {value!r}")
    if isinstance(value, (int, float)):
        return _scaled(float(value))
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=_UTC)).timestamp()
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=_UTC).timestamp()
    if isinstance(value, str):
        text = value.strip()
        if (
            text
            and (text[0].isdigit() or text[0] == "-")
            and text.replace(".", "", 1).lstrip("-").isdigit()
        ):
            return _scaled(float(text))
        try:
            parsed = dt.datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"not a timestamp: {value!r}") from None
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=_UTC)).timestamp()
    raise ValueError(f"not a timestamp: {type(value).__name__} {value!r}")


def _scaled(number: float) -> float:
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"not a timestamp: {number!r}")
    if abs(number) >= _MICROS:
        return number / 1e6
    if abs(number) >= _MILLIS:
        return number / 1e3
    return number


def iso(epoch: float) -> str:
    """``epoch`` as an ISO 8601 UTC string (``2024-05-01T12:30:00Z``; fractions kept)."""
    text = dt.datetime.fromtimestamp(epoch, _UTC).isoformat()
    return text.replace("+00:00", "Z")
