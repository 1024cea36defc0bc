"""``dedup.exact``: drop records whose compared part is identical to another's once normalized."""

from __future__ import annotations

import hashlib
from collections.abc import Hashable, Iterable, Iterator
from typing import Any, ClassVar, cast

import orjson
from pydantic import Field, field_validator

from ftprep.record import Record, content_text
from ftprep.steps.base import GlobalStep, Mark, Position, Reject, Signed
from ftprep.steps.dedup.common import (
    DEFAULT_NORMALIZE,
    DedupParams,
    Normalization,
    Normalizer,
    field_value,
    rank,
    scope_roles,
)


class ExactDedupParams(DedupParams):
    normalize: list[Normalization] = Field(
        default_factory=lambda: list(DEFAULT_NORMALIZE),
        description="What is ignored when comparing: `unicode` (NFKC: full-width, ligatures), "
        "`case`, `whitespace` (runs collapsed, ends trimmed), `punctuation` (and symbols). "
        "`true` means the default, `false` or `[]` compares texts as they are.",
    )
    include_metadata: bool = Field(False, description="Take the metadata into the comparison.")

    @field_validator("normalize", mode="before")
    @classmethod
    def _boolean(cls, value: Any) -> Any:
        if value is True:
            return list(DEFAULT_NORMALIZE)
        if value is False or value is None:
            return []
        return value


class ExactDeduplicator(GlobalStep):
    """Keep one record of each group of identical records.

    Texts are compared after the chosen normalization, over the chosen scope: the whole
    conversation (roles, texts, tool calls and tools), the user turns only (prompt dedup), the
    assistant turns only, or one field. The keep policy picks the record kept in each group.
    Reads: the texts (and tool calls) of the scope's turns, a plain-text record's text, or the
    field; the tools; the metadata with ``include_metadata`` and for the keep policy.
    Writes: nothing.
    Drops: ``duplicate``: the record repeats another; the value is the id of the record kept
    (where it was read when it has no id), the detail where it was read and the policy.
    """

    id: ClassVar[str] = "dedup.exact"
    Params = ExactDedupParams
    params: ExactDedupParams

    def setup(self) -> None:
        p = self.params
        self._norm = Normalizer(p.normalize)
        self._roles = scope_roles(p.scope, p.include_system)

    def signature(self, record: Record) -> Hashable | None:
        self.ensure_setup()
        key = self.key(record)
        if key is None or self.params.keep == "first":
            return key
        return key, rank(record, self.params.keep)

    @property
    def keeps_first(self) -> bool:
        return self.params.keep == "first"

    def decide_shards(self, shards: Iterable[Signed]) -> Iterator[tuple[Position, Reject | Mark]]:
        if self.params.keep == "first":
            return self.keep_first(shards)
        return super().decide_shards(shards)

    def decide(
        self, signatures: Iterable[tuple[Position, Hashable | None]]
    ) -> Iterator[tuple[Position, Reject | Mark]]:
        keep = self.params.keep
        if keep == "first":
            yield from super().decide(signatures)
            return
        best: dict[bytes, tuple[tuple[float, ...], Position]] = {}
        members: list[tuple[Position, bytes]] = []
        for position, sig in signatures:
            if sig is None:
                continue
            key, order = cast(tuple[bytes, tuple[float, ...]], sig)
            members.append((position, key))
            current = best.get(key)
            if current is None or order < current[0]:  # strictly better: ties keep the first
                best[key] = (order, position)
        for position, key in members:
            kept = best[key][1]
            if kept != position:
                detail = f"kept {kept.where} (keep: {keep})"
                yield position, Reject(self.code, value=kept.label, detail=detail)

    def key(self, record: Record) -> bytes | None:
        """The hash of the record's normalized scope; None when it has nothing to compare."""
        self.ensure_setup()
        p = self.params
        if p.scope == "field":
            return self._field_key(record)
        fast = self._plain_key(record)
        if fast is not None:
            return fast
        norm = self._norm
        parts: list[object] = []
        if record.is_text:
            if self._roles is not None and "text" not in self._roles:
                return None
            parts.append(norm(record.text or ""))
        else:
            for m in record.messages:
                if self._roles is not None and m.role not in self._roles:
                    continue
                calls = [(c.name, c.arguments) for c in m.tool_calls or ()]
                parts.append((m.role, norm(m.text), calls, m.tool_call_id))
            if not parts:
                return None
            if p.scope == "conversation":
                parts.append(record.tools)
        if p.include_metadata:
            parts.append(record.metadata)
        return _hash(b"full\x00" + _dumps(parts))

    def _field_key(self, record: Record) -> bytes | None:
        value = field_value(record, self.params.field or "")
        if value is None:
            return None
        if isinstance(value, str):
            return _hash(b"str\x00" + self._norm.encode(value))
        return _hash(b"json\x00" + _dumps(value))

    def _plain_key(self, record: Record) -> bytes | None:
        """The key of plain turns (no tool calls), and of the tools when they are compared, or
        None.

        Roles and texts are joined with ``" \\x00 "`` and the whole is normalized at once (see
        :class:`Normalizer`), so two records get the same string exactly when each turn's role
        and normalized text agree, provided no text holds a NUL, which is checked. The tools
        follow as sorted JSON. The prefixes keep this form apart from the general one, and
        records with tools apart from those without.
        """
        p = self.params
        if p.include_metadata or not record.messages:
            return None
        roles = self._roles
        pieces: list[str] = []
        for m in record.messages:
            if roles is not None and m.role not in roles:
                continue
            if m.tool_calls or m.tool_call_id is not None:
                return None
            content = m.content
            pieces.append(m.role)
            pieces.append(content if type(content) is str else content_text(content))
        if not pieces:
            return None
        raw = " \x00 ".join(pieces)
        if raw.count("\x00") != len(pieces) - 1:
            return None
        if record.tools is not None and p.scope == "conversation":
            tools = _dumps(record.tools)
            return _hash(b"plain+tools\x00" + self._norm.encode(raw) + b"\x00" + tools)
        return _hash(b"plain\x00" + self._norm.encode(raw))


def _dumps(value: object) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)


def _hash(data: bytes) -> bytes:
    """128 bits of SHA-256: collision-resistant, and where the CPU has SHA extensions (x86 since
    2017, ARMv8) faster than BLAKE2b in software."""
    return hashlib.sha256(data).digest()[:16]
