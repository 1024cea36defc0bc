"""Leakage between splits: the same or nearly the same example in two splits.

An example's *key* is the hash of its normalized text (exact leaks) and, when a threshold is
given, its MinHash signature (near-duplicate leaks, found with LSH as ``dedup.minhash`` finds
them). :func:`leak_clusters` joins records that are the same or similar into clusters; a cluster
whose records sit in more than one split is a leak.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ftprep.steps.dedup.minhash import (
    band_keys,
    candidate_pairs,
    estimated_similarity,
    lsh_params,
    union_find,
)

#: pairs listed in a report at most (the counts cover all of them)
MAX_LISTED = 200


@dataclass
class Leak:
    """Two records of different splits that are the same (``kind`` exact) or similar."""

    left: int
    right: int
    kind: str
    similarity: float


def leak_pairs(
    keys: list[bytes | None],
    values: npt.NDArray[np.uint32] | None,
    threshold: float | None,
    num_perm: int = 128,
) -> list[Leak]:
    """Every pair of records that share a key (exact), or whose MinHash values estimate a
    similarity of at least ``threshold``: the first record of each group with each other one,
    ``left < right``. Records without a key (None) or with all-zero values take no part."""
    found: dict[tuple[int, int], Leak] = {}
    first: dict[bytes, int] = {}
    for i, key in enumerate(keys):
        if key is None:
            continue
        j = first.setdefault(key, i)
        if j != i:
            found[(j, i)] = Leak(j, i, "exact", 1.0)
    if threshold is not None and values is not None and len(values):
        empty = np.asarray(~values.any(axis=1), dtype=bool)
        bands = band_keys(values, *lsh_params(threshold, num_perm, 0.9))
        pairs = candidate_pairs(bands, empty)
        scores = estimated_similarity(values, pairs[:, 0], pairs[:, 1])
        for (a, b), score in zip(pairs.tolist(), scores.tolist(), strict=True):
            if score >= threshold and (a, b) not in found:
                found[(a, b)] = Leak(a, b, "near", score)
    return [found[k] for k in sorted(found)]


def leak_clusters(n: int, leaks: list[Leak]) -> npt.NDArray[np.int64]:
    """The cluster (smallest member) of each of ``n`` records once leaked pairs are joined."""
    pairs = np.array([(x.left, x.right) for x in leaks], dtype=np.int64).reshape(-1, 2)
    return union_find(n, pairs)


def crossing_leaks(leaks: list[Leak], split_of: list[int]) -> list[Leak]:
    """One pair per leaked record: each record of a cluster of leaked records that is not in the
    cluster's earliest split, paired with the cluster's first record in that split (the count is
    the number of leaked records, whatever the input order). ``kind`` and ``similarity`` are
    those of a direct pair of the record."""
    if not leaks:
        return []
    roots = leak_clusters(len(split_of), leaks)
    touching: dict[int, Leak] = {}
    for leak in leaks:
        touching.setdefault(leak.left, leak)
        touching.setdefault(leak.right, leak)
    anchor: dict[int, int] = {}
    for i in sorted(touching):
        root = int(roots[i])
        best = anchor.get(root)
        if best is None or (split_of[i], i) < (split_of[best], best):
            anchor[root] = i
    out = []
    for i in sorted(touching):
        first = anchor[int(roots[i])]
        if split_of[i] != split_of[first]:
            leak = touching[i]
            out.append(Leak(first, i, leak.kind, leak.similarity))
    return out
