"""Replace detected spans: redact, mask, hash or pseudonymize.

- ``redact``: a typed placeholder, ``[EMAIL]``, ``[CREDIT_CARD]``;
- ``mask``: every letter and digit becomes ``*``, separators stay (``****@*****.***``);
- ``hash``: ``[EMAIL:3f9c0a1b2d]``, the first 10 hex digits of a BLAKE2b hash keyed with a
  secret salt over (type, normalized value): equal values link across the whole dataset
  without being readable. The salt is required, and never shown by ``repr``;
- ``pseudonymize``: consistent fake values (see :mod:`ftprep.pii.pseudonym`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from ftprep.pii.pseudonym import SCOPES, Pseudonymizer, normalize, salt_key
from ftprep.pii.spans import PiiSpan

MODES: tuple[str, ...] = ("redact", "mask", "hash", "pseudonymize")
HASH_HEX_DIGITS = 10


class Anonymizer:
    """Rewrites a text given its spans (from :meth:`PiiDetector.detect`).

    ``seed`` and ``salt`` make pseudonyms and hashes reproducible across processes; ``scope``
    decides whether a pseudonym is consistent within one conversation (``key``) or across the
    dataset; ``locale`` is Faker's, for fake names and streets.
    """

    def __init__(
        self,
        mode: str = "redact",
        *,
        seed: int = 0,
        salt: bytes | str = b"",
        scope: str = "conversation",
        locale: str = "en_US",
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown anonymization mode {mode!r}; known: {', '.join(MODES)}")
        if scope not in SCOPES:
            raise ValueError(f"unknown scope {scope!r}; known: {', '.join(SCOPES)}")
        if mode == "hash" and not salt:
            raise ValueError("mode='hash' needs a secret salt (unsalted hashes of phone numbers "
                             "and SSNs can be reversed by trying every value)")  # fmt: skip
        self.mode = mode
        self.seed = seed
        self.scope = scope
        self._salt = salt_key(salt)
        self._pseudonymizer = (
            Pseudonymizer(seed, salt, scope, locale) if mode == "pseudonymize" else None
        )

    def __repr__(self) -> str:
        return f"Anonymizer(mode={self.mode!r}, seed={self.seed}, scope={self.scope!r})"

    def apply(self, text: str, spans: Sequence[PiiSpan], key: str = "") -> str:
        """``text`` with every span replaced. ``spans`` must be sorted, non-overlapping and
        taken from this text; ``key`` names the conversation (pseudonymize, scope
        "conversation")."""
        out: list[str] = []
        pos = 0
        for span in spans:
            if span.start < pos or text[span.start : span.end] != span.text:
                raise ValueError(
                    f"span {span.start}:{span.end} ({span.type}) overlaps the previous one or "
                    "does not match the text"
                )
            out.append(text[pos : span.start])
            out.append(self.replacement(span, key))
            pos = span.end
        out.append(text[pos:])
        return "".join(out)

    def replacement(self, span: PiiSpan, key: str = "") -> str:
        """What one span becomes."""
        if self.mode == "redact":
            return f"[{span.type.upper()}]"
        if self.mode == "mask":
            return "".join("*" if c.isalnum() else c for c in span.text)
        if self.mode == "hash":
            message = f"{span.type}\x1f{normalize(span.type, span.text)}".encode()
            digest = hashlib.blake2b(message, key=self._salt, digest_size=16).hexdigest()
            return f"[{span.type.upper()}:{digest[:HASH_HEX_DIGITS]}]"
        assert self._pseudonymizer is not None
        return self._pseudonymizer.fake(span.type, span.text, key)
