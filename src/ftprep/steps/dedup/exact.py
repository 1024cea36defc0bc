"""``dedup.exact``: drop records whose conversation is identical to an earlier one."""

from __future__ import annotations

import hashlib
import unicodedata
from typing import ClassVar

import orjson
from pydantic import Field

from ftprep.record import Record, content_text
from ftprep.steps.base import GlobalStep, StepParams


class ExactDedupParams(StepParams):
    normalize: bool = Field(
        True,
        description="Compare texts after NFKC, case folding and collapsing whitespace.",
    )
    include_system: bool = Field(
        True, description="Take system and developer messages into the comparison."
    )
    include_metadata: bool = Field(False, description="Take the metadata into the comparison.")


class ExactDeduplicator(GlobalStep):
    """Keep the first of each group of identical records, in input order.

    Reads: every message's role, text and tool calls (or a plain-text record's text); the tools;
    the metadata when ``include_metadata`` is set.
    Writes: nothing.
    Drops: ``duplicate``: the record repeats an earlier one; the value is the file and line of the
    record that was kept.
    """

    id: ClassVar[str] = "dedup.exact"
    Params = ExactDedupParams
    params: ExactDedupParams

    def signature(self, record: Record) -> bytes:
        fast = self._plain_signature(record)
        if fast is not None:
            return fast
        p = self.params
        if record.is_text:
            parts: list[object] = [self._norm(record.text or "")]
        else:
            parts = []
            for m in record.messages:
                if not p.include_system and m.role in ("system", "developer"):
                    continue
                calls = [(c.name, c.arguments) for c in m.tool_calls or ()]
                parts.append((m.role, self._norm(m.text), calls, m.tool_call_id))
            parts.append(record.tools)
        if p.include_metadata:
            parts.append(record.metadata)
        data = orjson.dumps(parts, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
        return hashlib.blake2b(data, digest_size=16).digest()

    def _plain_signature(self, record: Record) -> bytes | None:
        """The signature of a conversation of plain turns (no tools, no tool calls), or None.

        Roles and texts are joined with ``" \\x00 "`` and the whole is normalized at once: NFKC
        and case folding act character by character and leave the separator alone, and splitting
        on whitespace turns each text into its words with the separator a word of its own, so two
        records get the same string exactly when each turn's role and normalized text agree
        (provided no text holds a NUL, which is checked). The prefix keeps this form apart from
        the general one.
        """
        if record.tools is not None or self.params.include_metadata or not record.messages:
            return None
        system = self.params.include_system
        pieces: list[str] = []
        for m in record.messages:
            if m.tool_calls or m.tool_call_id is not None:
                return None
            if not system and m.role in ("system", "developer"):
                continue
            content = m.content
            pieces.append(m.role)
            pieces.append(content if type(content) is str else content_text(content))
        raw = " \x00 ".join(pieces)
        if raw.count("\x00") != len(pieces) - 1:
            return None
        data = b"plain\x00" + self._norm(raw).encode("utf-8", "surrogatepass")
        return hashlib.blake2b(data, digest_size=16).digest()

    def _norm(self, text: str) -> str:
        if not self.params.normalize:
            return text
        if not text.isascii():
            text = unicodedata.normalize("NFKC", text)
        return " ".join(text.casefold().split())
