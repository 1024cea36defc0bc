"""What the dedup steps share: which part of a record is compared (the scope), how its text is
normalized first, and which record of a group of duplicates is kept (the keep policy)."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Collection, Iterator
from datetime import UTC, datetime
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import orjson
from pydantic import Field, model_validator

from ftprep.record import Record
from ftprep.steps.base import Mark, Position, Reject, StepParams
from ftprep.steps.text import TEXT_ROLE, iter_texts

Scope = Literal["conversation", "user", "assistant", "field"]
Keep = Literal["first", "rating", "longest", "newest"]
Normalization = Literal["unicode", "case", "whitespace", "punctuation"]

#: what "normalize: true" means
DEFAULT_NORMALIZE: tuple[Normalization, ...] = ("unicode", "case", "whitespace")
#: metadata keys read, in this order, for ``keep: newest``
TIME_KEYS = ("created_at", "updated_at", "timestamp", "date", "time")

#: punctuation and symbols (anything but word characters and whitespace); NUL is left alone, for
#: it separates turns in the joined texts that are normalized in one pass
_PUNCTUATION = re.compile(r"[^\w\s\x00]+")
#: the ASCII characters ``str.isspace()`` holds true for, and those ``_PUNCTUATION`` removes
_ASCII_SPACE = bytes(c for c in range(128) if chr(c).isspace())
_ASCII_PUNCTUATION = bytes(c for c in range(128) if _PUNCTUATION.fullmatch(chr(c)))


class DedupParams(StepParams):
    """The parameters every dedup step has: what to compare and which duplicate to keep."""

    scope: Scope = Field(
        "conversation",
        description="What is compared: the whole `conversation`, the `user` turns only (prompt "
        "dedup), the `assistant` turns only, or one `field` (see `field`).",
    )
    field: str | None = Field(
        None,
        description="With `scope: field`, a dotted path into the record, e.g. `metadata.question` "
        "or `id`; records without it are never duplicates.",
    )
    include_system: bool = Field(
        True, description="Take system and developer turns into a `conversation` comparison."
    )
    keep: Keep = Field(
        "first",
        description="Which record of a group is kept: the `first` in input order, the highest "
        "`rating` (metadata.rating), the `longest` (characters of text), or the `newest` "
        f"(metadata {', '.join(TIME_KEYS)}: ISO dates or epoch seconds). Records without the "
        "value rank last; ties go to the first.",
    )

    @model_validator(mode="after")
    def _field_with_scope(self) -> DedupParams:
        if self.scope == "field" and not self.field:
            raise ValueError("scope: field needs a field (a dotted path such as metadata.question)")
        if self.field and self.scope != "field":
            raise ValueError(f"field is only read with scope: field (scope is {self.scope})")
        return self


class NearDupParams(DedupParams):
    """The parameters of the near-duplicate steps (MinHash, semantic)."""

    mark: bool = Field(
        True,
        description="Record `metadata.near_dup` = {cluster, size} on each kept record of a "
        "cluster.",
    )
    include_system: bool = Field(
        False,
        description="Take system and developer turns into a `conversation` comparison "
        "(off: a shared system prompt would make unrelated records look alike).",
    )


def scope_roles(scope: Scope, include_system: bool) -> frozenset[str] | None:
    """The roles whose turns a scope compares (None: every role)."""
    if scope == "user":
        return frozenset({"user"})
    if scope == "assistant":
        return frozenset({"assistant"})
    if include_system:
        return None
    return frozenset({"user", "assistant", "tool", "function", TEXT_ROLE})


_SPACES = re.compile(b"  +")


class Normalizer:
    """Text normalization before comparing: any of Unicode (NFKC), case folding, punctuation
    and symbols removed, whitespace collapsed; applied in that order.

    Each acts on characters one by one except whitespace collapsing, which acts on words, so
    normalizing texts joined by ``" \\x00 "`` in one pass equals normalizing each text and joining
    the results, as long as no text holds a NUL (see ``ExactDeduplicator``).
    """

    def __init__(self, kinds: Collection[Normalization]) -> None:
        self.unicode = "unicode" in kinds
        self.case = "case" in kinds
        self.punctuation = "punctuation" in kinds
        self.whitespace = "whitespace" in kinds
        table = bytearray(range(256))
        if self.case:  # casefold() of ASCII is lower()
            table[ord("A") : ord("Z") + 1] = bytes(range(ord("a"), ord("z") + 1))
        if self.whitespace:  # what str.split() splits ASCII on
            for c in _ASCII_SPACE:
                table[c] = ord(" ")
        self._table = bytes(table)

    def encode(self, text: str) -> bytes:
        """``self(text)`` as UTF-8 (lone surrogates kept): for ASCII text, byte operations that
        give the same bytes several times faster (case and whitespace in one ``translate``)."""
        if not text.isascii():
            return self(text).encode("utf-8", "surrogatepass")
        data = text.encode("ascii").translate(
            self._table, _ASCII_PUNCTUATION if self.punctuation else b""
        )
        if self.whitespace:
            if b"  " in data:
                data = _SPACES.sub(b" ", data)
            data = data.strip(b" ")
        return data

    def __call__(self, text: str) -> str:
        if self.unicode and not text.isascii():
            text = unicodedata.normalize("NFKC", text)
        if self.case:
            text = text.casefold()
        if self.punctuation:
            text = _PUNCTUATION.sub("", text)
        if self.whitespace:
            text = " ".join(text.split())
        return text


_MISSING = object()


def field_value(record: Record, path: str) -> Any:
    """The value at a dotted ``path`` of the record's canonical form, or None."""
    head, _, rest = path.partition(".")
    if head == "metadata":
        value: Any = record.metadata
    elif head == "id":
        value = record.id
    else:
        value = record.to_dict().get(head, _MISSING)
    for key in rest.split(".") if rest else ():
        if isinstance(value, dict):
            value = value.get(key, _MISSING)
        elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            return None
    return None if value is _MISSING else value


def field_label(value: Any) -> str | None:
    """A field's value as a stable string: strings as they are, other values as sorted JSON;
    None stays None."""
    if value is None or isinstance(value, str):
        return value
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def scope_text(record: Record, roles: frozenset[str] | None) -> str:
    """The texts of the scope's turns joined by blank lines (for near-duplicate comparison)."""
    return "\n\n".join(text for _, text in iter_texts(record, roles) if text)


def compared_text(record: Record, params: DedupParams, roles: frozenset[str] | None) -> str:
    """The raw text a near-duplicate step compares: the ``field`` (a string, else nothing) or
    the texts of the scope's turns; NULs become spaces."""
    if params.scope == "field":
        value = field_value(record, params.field or "")
        raw = value if isinstance(value, str) else ""
    else:
        raw = scope_text(record, roles)
    return raw.replace("\x00", " ")


def rank(record: Record, keep: Keep) -> tuple[float, ...]:
    """A sort key: the record a policy keeps has the smallest (ties: the first in input order)."""
    if keep == "first":
        return ()
    if keep == "rating":
        rating = _number(record.metadata.get("rating"))
        return (math.inf if rating is None else -rating,)
    if keep == "longest":
        return (-float(sum(len(text) for _, text in iter_texts(record))),)
    for key in TIME_KEYS:
        when = parse_time(record.metadata.get(key))
        if when is not None:
            return (-when,)
    return (math.inf,)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def parse_time(value: Any) -> float | None:
    """Epoch seconds of an ISO date or datetime (naive means UTC) or of epoch seconds or
    milliseconds; None for anything else."""
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            return _number(value)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.timestamp()
    number = _number(value)
    if number is None:
        return None
    return number / 1000 if abs(number) > 1e11 else number  # milliseconds


def cluster_decisions(
    roots: npt.NDArray[np.int64],
    ranks: list[tuple[float, ...]],
    positions: list[Position],
    similarity: Callable[[int, npt.NDArray[np.int64]], npt.NDArray[np.float64]],
    *,
    code: str,
    mark: bool,
    what: str = "similarity",
) -> Iterator[tuple[Position, Reject | Mark]]:
    """The decisions for clusters of records (``roots[i]``: the cluster of record ``i``, records
    in input order): in each cluster of two or more, the record with the smallest rank (ties:
    the first) is kept, and marked ``near_dup = {cluster, size}`` with ``mark``; the others are
    dropped as ``code``, naming the kept record and their ``similarity(kept, others)`` to it.
    Yielded in input order."""
    order = np.argsort(roots, kind="stable")
    cuts = np.flatnonzero(np.diff(roots[order])) + 1
    found: list[tuple[int, Reject | Mark]] = []
    for members in np.split(order, cuts):
        if len(members) < 2:
            continue
        index = [int(i) for i in members]  # in input order (stable sort)
        kept = min(index, key=lambda i: (ranks[i], i))
        size = len(index)
        others = np.array([i for i in index if i != kept], dtype=np.int64)
        keeper = positions[kept]
        for i, score in zip(others.tolist(), similarity(kept, others).tolist(), strict=True):
            detail = f"near-duplicate of {keeper.where} ({what} {score:.2f}, cluster of {size})"
            found.append((i, Reject(code, value=keeper.label, detail=detail)))
        if mark:
            found.append((kept, Mark({"near_dup": {"cluster": keeper.label, "size": size}})))
    found.sort(key=lambda item: item[0])
    for i, outcome in found:
        yield positions[i], outcome
