"""Exact distributions in bounded memory: integer values are counted, not stored one by one."""

from __future__ import annotations

from collections import Counter
from typing import Any


class Distribution:
    """Min, max, mean, median and true percentiles of integer observations.

    Memory grows with the number of distinct values (bounded by the largest value), not with the
    number of observations, so a billion examples cost no more than a thousand.
    """

    __slots__ = ("counts", "n", "total")

    def __init__(self) -> None:
        self.counts: Counter[int] = Counter()
        self.n = 0
        self.total = 0

    def add(self, value: int) -> None:
        self.counts[value] += 1
        self.n += 1
        self.total += value

    def merge(self, other: Distribution) -> None:
        self.counts.update(other.counts)
        self.n += other.n
        self.total += other.total

    def percentile(self, q: float) -> float:
        """The q-th percentile (0-100) with linear interpolation, as numpy's default computes it."""
        if not self.n:
            return 0.0
        rank = (self.n - 1) * q / 100.0
        lo_rank, frac = int(rank), rank - int(rank)
        lo = self._value_at(lo_rank)
        if frac == 0.0:
            return float(lo)
        hi = self._value_at(lo_rank + 1)
        return lo + (hi - lo) * frac

    def _value_at(self, rank: int) -> int:
        seen = 0
        for value in sorted(self.counts):
            seen += self.counts[value]
            if seen > rank:
                return value
        return max(self.counts)

    def summary(self) -> dict[str, Any]:
        if not self.n:
            return {"count": 0}
        return {
            "count": self.n,
            "min": min(self.counts),
            "max": max(self.counts),
            "mean": self.total / self.n,
            "median": self.percentile(50),
            "p5": self.percentile(5),
            "p95": self.percentile(95),
        }
