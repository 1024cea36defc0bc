"""The span type every detector returns, the entity types, and overlap resolution."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

#: Every entity type ftprep detects, in priority order: when two candidate spans overlap, the
#: type listed first wins (a password inside a URL is ``url_credentials``, not ``email``).
PII_TYPES: tuple[str, ...] = (
    "secret",
    "url_credentials",
    "email",
    "iban",
    "credit_card",
    "us_ssn",
    "ip_address",
    "phone",
    "date_of_birth",
    "street_address",
    "person",
)
PRIORITY: dict[str, int] = {t: i for i, t in enumerate(PII_TYPES)}


@dataclass(frozen=True, slots=True)
class PiiSpan:
    """One detected entity: ``text[start:end] == self.text``.

    ``score`` is in [0, 1]: 1.0 for checksum-validated values (Luhn, mod-97), about 0.6 for
    values accepted only because of their context (a phone-shaped number after "call me at").
    """

    start: int
    end: int
    type: str
    text: str
    score: float

    def __len__(self) -> int:
        return self.end - self.start

    def overlaps(self, other: PiiSpan) -> bool:
        return self.start < other.end and other.start < self.end


def _fast_init() -> None:
    """Give :class:`PiiSpan` an ``__init__`` that stores the fields through the slot
    descriptors: the generated one of a frozen dataclass calls ``object.__setattr__`` per
    field and takes twice as long, and detection builds many spans. Equality, hashing,
    ``repr``, ``replace`` and pickling are the dataclass's, and the fields stay read-only."""
    set_start, set_end, set_type, set_text, set_score = (
        PiiSpan.__dict__[name].__set__ for name in ("start", "end", "type", "text", "score")
    )

    def __init__(self: PiiSpan, start: int, end: int, type: str, text: str, score: float) -> None:
        set_start(self, start)
        set_end(self, end)
        set_type(self, type)
        set_text(self, text)
        set_score(self, score)

    __init__.__qualname__ = "PiiSpan.__init__"
    PiiSpan.__init__ = __init__  # type: ignore[method-assign]


_fast_init()


def resolve_overlaps(spans: Iterable[PiiSpan]) -> list[PiiSpan]:
    """Non-overlapping spans sorted by start: on overlap the higher-priority type wins, then the
    longer span, then the higher score, then the earlier one."""
    ranked = sorted(spans, key=lambda s: (PRIORITY[s.type], s.start - s.end, -s.score, s.start))
    kept: list[PiiSpan] = []
    for span in ranked:
        if not any(span.overlaps(k) for k in kept):
            kept.append(span)
    kept.sort(key=lambda s: s.start)
    return kept
