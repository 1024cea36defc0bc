"""Span-level precision and recall per entity type, for tests, benchmarks and reports.

A predicted span is *correct* when a gold span of the same type matches it; a gold span is
*found* when a predicted span of the same type matches it. Two match definitions:

- ``strict``: same start and same end;
- ``overlap``: the two spans share at least one character.

precision = correct / predicted, recall = found / gold (with overlap matching, one long
prediction can find two gold spans, and two predictions can match one gold span).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

MATCHES: tuple[str, ...] = ("strict", "overlap")


class SpanLike(Protocol):
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def type(self) -> str: ...


@dataclass
class TypeScore:
    """Counts for one entity type."""

    type: str
    gold: int = 0
    predicted: int = 0
    correct: int = 0  # predictions that match a gold span
    found: int = 0  # gold spans that some prediction matches

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _matches(a: SpanLike, b: SpanLike, match: str) -> bool:
    if match == "strict":
        return a.start == b.start and a.end == b.end
    return a.start < b.end and b.start < a.end


def score_spans(
    predicted: Iterable[Sequence[SpanLike]],
    gold: Iterable[Sequence[SpanLike]],
    match: str = "strict",
    types: Iterable[str] | None = None,
) -> dict[str, TypeScore]:
    """Per-type counts over documents (``predicted[i]`` and ``gold[i]`` are the spans of
    document ``i``). Only ``types`` are scored when given; predictions of other types are
    ignored."""
    if match not in MATCHES:
        raise ValueError(f"unknown match {match!r}; known: {', '.join(MATCHES)}")
    wanted = None if types is None else set(types)
    scores: dict[str, TypeScore] = {t: TypeScore(t) for t in wanted or ()}
    for preds, golds in zip(predicted, gold, strict=True):
        for p in preds:
            if wanted is not None and p.type not in wanted:
                continue
            score = scores.setdefault(p.type, TypeScore(p.type))
            score.predicted += 1
            score.correct += any(g.type == p.type and _matches(p, g, match) for g in golds)
        for g in golds:
            if wanted is not None and g.type not in wanted:
                continue
            score = scores.setdefault(g.type, TypeScore(g.type))
            score.gold += 1
            score.found += any(p.type == g.type and _matches(p, g, match) for p in preds)
    return scores
