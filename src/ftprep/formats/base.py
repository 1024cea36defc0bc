"""The format contract: a row (a decoded dict) in, records out; a record in, a row out.

A format implements ``parse`` and ``render``; ``detect`` scores how much a sample row looks like it.
What a target cannot hold is counted per field in a :class:`Losses` counter, never dropped silently.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, ClassVar

from ftprep.errors import FormatError
from ftprep.record import Provenance, Record, where


class Losses(Counter[str]):
    """What a conversion could not carry over, counted per field (``tools``, ``messages.weight``)."""


class Unconvertible(FormatError):
    """A record the target format cannot represent at all (it goes to rejects with this reason)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message, field=field, code="unconvertible")


class Format:
    """Base class of a row format. Subclasses set ``name`` and implement parse/render/detect."""

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    #: whether render can write the format (OASST trees and BFCL are read-only)
    writable: ClassVar[bool] = True

    def detect(self, row: dict[str, Any]) -> float:
        """How much ``row`` looks like this format: 0 (not at all) to 1 (certainly)."""
        raise NotImplementedError

    def parse(self, row: Any, source: Provenance | None = None) -> list[Record]:
        """Records from one row (usually one; an OASST tree gives one per root-to-leaf path)."""
        raise NotImplementedError

    def render(self, record: Record, losses: Losses) -> dict[str, Any]:
        """One row of this format; raises :class:`Unconvertible`; counts what is left out."""
        raise NotImplementedError(f"format {self.name!r} is read-only")


def require_object(row: Any, source: Provenance | None) -> dict[str, Any]:
    if not isinstance(row, dict):
        raise FormatError(
            f"expected a JSON object, got {type(row).__name__}",
            code="not_an_object",
            **where(source),
        )
    return row


def require_str(
    row: dict[str, Any], key: str, source: Provenance | None, *, optional: bool = False
) -> str:
    value = row.get(key)
    if value is None and optional:
        return ""
    if not isinstance(value, str):
        got = "missing" if key not in row else f"{type(value).__name__}, not a string"
        raise FormatError(got, field=key, code="wrong_type", **where(source))
    return value


def passthrough(row: dict[str, Any], known: frozenset[str]) -> dict[str, Any]:
    """The keys of ``row`` a format does not interpret, kept so they survive a round trip."""
    return {k: v for k, v in row.items() if k not in known}


def apply_common(out: dict[str, Any], record: Record) -> dict[str, Any]:
    """Add the id, metadata and unknown fields that every JSON-shaped format can carry."""
    if record.id is not None:
        out = {"id": record.id, **out}
    if record.metadata:
        out["metadata"] = record.metadata
    for key, value in record.extra.items():
        out.setdefault(key, value)
    return out


def take_common(row: dict[str, Any], record: Record, source: Provenance | None) -> None:
    """Read the id and metadata columns that every JSON-shaped format may carry."""
    rid = row.get("id")
    if rid is not None:
        record.id = str(rid)
    meta = row.get("metadata")
    if meta is not None:
        if not isinstance(meta, dict):
            raise FormatError("must be an object", field="metadata", **where(source))
        record.metadata = dict(meta)
