"""``ftprep leakage``: the same or nearly the same examples in two of several files (splits).

The library behind it is :mod:`ftprep.steps.dataset.leakage`, which the ``split`` step uses too:
exact leaks are equal normalized texts, near leaks MinHash estimates at or above a threshold.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ftprep.reading import Rejected, iter_records, open_source
from ftprep.steps.dataset.leakage import crossing_leaks, leak_pairs
from ftprep.steps.dedup.exact import ExactDeduplicator
from ftprep.steps.dedup.minhash import MinHashDeduplicator, minhash_matrix

#: pairs kept in a report (every pair is counted)
MAX_LISTED = 1000


@dataclass
class LeakageReport:
    files: list[str]
    records: list[int]
    #: (earlier file, later file) -> {"exact": n, "near": n}: records of the later file with a twin
    #: in the earlier one
    counts: dict[tuple[str, str], Counter[str]] = field(default_factory=dict)
    pairs: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0
    unreadable: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": [
                {"path": f, "records": n} for f, n in zip(self.files, self.records, strict=True)
            ],
            "leaked_records": self.total,
            "by_files": [{"a": a, "b": b, **dict(c)} for (a, b), c in sorted(self.counts.items())],
            "pairs": self.pairs,
            "unreadable_rows": self.unreadable,
        }


def check_leakage(
    paths: list[str | os.PathLike[str]],
    *,
    threshold: float | None = 0.8,
    scope: str = "user",
    ngram: int = 5,
) -> LeakageReport:
    """Pairs of records of different files that are the same (exact, after normalization) or
    near-duplicates (MinHash similarity >= ``threshold``; None: exact only)."""
    exact = ExactDeduplicator(scope=scope, include_system=False)
    near = MinHashDeduplicator(scope=scope, ngram=ngram, mark=False)
    report = LeakageReport(files=[str(p) for p in paths], records=[])
    keys: list[bytes | None] = []
    texts: list[str] = []
    where: list[tuple[int, str]] = []
    for index, path in enumerate(paths):
        source = open_source(Path(path))
        count = 0
        for item in iter_records(source):
            if isinstance(item, Rejected):
                report.unreadable += 1
                continue
            count += 1
            keys.append(exact.key(item))
            texts.append(near.text(item) if threshold is not None else "")
            line = item.source.line if item.source else count
            where.append((index, item.id if item.id is not None else f"line {line}"))
        report.records.append(count)
    values = minhash_matrix(texts, ngram=ngram) if threshold is not None and texts else None
    split_of = [f for f, _ in where]
    for leak in crossing_leaks(leak_pairs(keys, values, threshold), split_of):
        (fa, a), (fb, b) = where[leak.left], where[leak.right]
        names = (report.files[fa], report.files[fb])
        report.counts.setdefault(names, Counter())[leak.kind] += 1
        report.total += 1
        if len(report.pairs) < MAX_LISTED:
            report.pairs.append(
                {"a_file": names[0], "a": a, "b_file": names[1], "b": b,
                 "kind": leak.kind, "similarity": round(float(leak.similarity), 3)}
            )  # fmt: skip
    return report


__all__ = ["LeakageReport", "check_leakage"]
