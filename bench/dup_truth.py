"""The ground truth of ``gen_dups.py``'s planted duplicates, and how it is scored.

``PATH.truth.json`` lists each planted cluster's record ids (original first) and variant kinds,
and every within-cluster pair with its true Jaccard similarity of word 5-gram shingle sets
(:func:`shingles` over :func:`conversation_text`); :func:`truth_pairs` gives the pairs a
near-duplicate step at threshold T should find, and :func:`check_sample` checks that unrelated
records never look alike.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

Messages = list[dict[str, str]]

#: the kinds of variant planted beside an original
VARIANTS = ("exact", "case_ws", "edit_5", "edit_15", "edit_30", "truncated")
#: words per shingle
NGRAM = 5


@dataclass
class Truth:
    """Planted clusters and the true Jaccard similarity of each within-cluster pair."""

    clusters: dict[str, list[str]]  # cluster id -> record ids, the original first
    variants: dict[str, list[str]]  # cluster id -> variant kind of each member, same order
    pairs: list[tuple[str, str, float]]  # every within-cluster pair and its true Jaccard
    params: dict[str, Any]

    def to_json(self) -> bytes:
        data = {
            "clusters": self.clusters,
            "variants": self.variants,
            "pairs": self.pairs,
            "params": self.params,
        }
        return orjson.dumps(data)

    @classmethod
    def load(cls, path: Path) -> Truth:
        """Read a ``*.truth.json`` sidecar."""
        data = orjson.loads(path.read_bytes())
        pairs = [(a, b, j) for a, b, j in data["pairs"]]
        return cls(data["clusters"], data["variants"], pairs, data["params"])


def truth_path(path: Path) -> Path:
    """The ground-truth sidecar of a generated file: ``PATH.truth.json``."""
    return path.with_name(path.name + ".truth.json")


def truth_pairs(truth: Truth, threshold: float) -> set[frozenset[str]]:
    """Planted pairs whose true Jaccard is at least ``threshold`` (0 gives every planted pair)."""
    return {frozenset((a, b)) for a, b, j in truth.pairs if j >= threshold}


def variant_stats(truth: Truth) -> dict[str, dict[str, float]]:
    """Per variant kind: count, min, median and max true Jaccard to the cluster's original."""
    kind_of = {
        rid: k
        for c, ids in truth.clusters.items()
        for rid, k in zip(ids, truth.variants[c], strict=True)
    }
    by_kind: dict[str, list[float]] = defaultdict(list)
    for a, b, j in truth.pairs:
        ka, kb = kind_of[a], kind_of[b]
        if "original" in (ka, kb):
            by_kind[kb if ka == "original" else ka].append(j)
    stats = {}
    for kind in VARIANTS:
        js = sorted(by_kind.get(kind, []))
        if js:
            stats[kind] = {
                "n": len(js),
                "min": js[0],
                "median": js[len(js) // 2],
                "max": js[-1],
                "share_ge_0.8": sum(j >= 0.8 for j in js) / len(js),
            }
    return stats


def conversation_text(messages: Messages) -> str:
    """The user and assistant turns joined by newlines (system prompts left out)."""
    return "\n".join(m["content"] for m in messages if m["role"] in ("user", "assistant"))


def shingles(text: str, n: int = NGRAM) -> set[str]:
    """Word n-grams of the case-folded text split on whitespace (a shorter text is one shingle)."""
    return {" ".join(g) for g in word_ngrams(text.casefold().split(), n)}


def word_ngrams(words: list[str], n: int = NGRAM) -> set[tuple[str, ...]]:
    """The n-grams of ``words`` as tuples: equal exactly when the joined shingles are equal."""
    if len(words) <= n:
        return {tuple(words)} if words else set()
    return set(zip(*(words[i:] for i in range(n)), strict=False))


def jaccard(a: set[Any], b: set[Any]) -> float:
    """Exact Jaccard similarity of two sets (1.0 for two empty sets)."""
    if a is b:
        return 1.0
    inter = len(a & b)
    union = len(a) + len(b) - inter
    return inter / union if union else 1.0


def check_sample(path: Path, sample: int, threshold: float = 0.5, rare: int = 32) -> dict[str, Any]:
    """Exact Jaccard of the cross-cluster pairs among the first ``sample`` records that can matter.

    Every pair sharing a shingle held by at most ``rare`` records is measured. A pair sharing none
    has Jaccard at most ``bound_without_rare`` (the largest share of one record's shingles that
    are more common than that), so the check is complete when that bound is below ``threshold``.
    """
    ids, clusters, sets = [], [], []
    with path.open("rb") as f:
        for line in itertools.islice(f, sample):
            rec = orjson.loads(line)
            ids.append(rec["id"])
            clusters.append(rec["metadata"]["truth_cluster"])
            sets.append(shingles(conversation_text(rec["messages"])))
    df = Counter(s for shs in sets for s in shs)
    holders: dict[str, list[int]] = defaultdict(list)
    common = [0] * len(sets)
    for d, shs in enumerate(sets):
        for s in shs:
            if df[s] > rare:
                common[d] += 1
            elif df[s] > 1:
                holders[s].append(d)
    shared: set[tuple[int, int]] = set()
    for docs in holders.values():
        shared.update(itertools.combinations(docs, 2))
    cross = [
        (jaccard(sets[a], sets[b]), ids[a], ids[b])
        for a, b in shared
        if clusters[a] is None or clusters[a] != clusters[b]
    ]
    bound = max((c / len(s) for c, s in zip(common, sets, strict=True) if s), default=0.0)
    hist = Counter(f"{math.floor(j * 10) / 10:.1f}" for j, _, _ in cross)
    return {
        "records": len(sets),
        "cross_cluster_pairs_measured": len(cross),
        "cross_cluster_max_jaccard": round(max((j for j, _, _ in cross), default=0.0), 4),
        f"cross_cluster_pairs_ge_{threshold}": sum(j >= threshold for j, _, _ in cross),
        "cross_cluster_hist": dict(sorted(hist.items())),
        "worst": sorted(cross, reverse=True)[:3],
        "bound_without_rare": round(bound, 4),
        "complete": bound < threshold,
    }
