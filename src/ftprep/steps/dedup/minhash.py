"""``dedup.minhash``: near-duplicates by MinHash and locality-sensitive hashing.

Stages, over plain data:

1. per shard (in the workers): each record's scope text is normalized and shingled
   (:mod:`ftprep.steps.dedup.shingles`), its MinHash signature computed (the ``rensa`` library's
   R-MinHash, in Rust), and the signature cut into ``bands`` bands of ``rows`` values, each band
   hashed to one 64-bit key;
2. decision (once): records that share a band key in any band are candidates; a candidate pair
   whose estimated similarity (the share of equal signature values) reaches the threshold is a
   duplicate pair; pairs are joined into clusters (union-find); each cluster keeps one record by
   the keep policy and drops the others; the kept record of a cluster of two or more is marked
   with the cluster's id and size.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from functools import cache
from types import ModuleType
from typing import ClassVar, NamedTuple

import numpy as np
import numpy.typing as npt
from pydantic import Field, model_validator

from ftprep.errors import FtprepError
from ftprep.record import Record
from ftprep.steps.base import GlobalStep, Mark, Position, Reject, Signed
from ftprep.steps.dedup.common import (
    NearDupParams,
    Normalizer,
    cluster_decisions,
    compared_text,
    rank,
    scope_roles,
)
from ftprep.steps.dedup.shingles import Unit, shingle_hashes

U32 = npt.NDArray[np.uint32]
U64 = npt.NDArray[np.uint64]


class MinHashParams(NearDupParams):
    threshold: float = Field(
        0.8,
        gt=0,
        lt=1,
        description="Estimated Jaccard similarity of shingle sets to count as a near-duplicate.",
    )
    num_perm: int = Field(128, ge=16, le=1024, description="MinHash signature length.")
    ngram: int = Field(5, ge=1, le=50, description="Shingle size, in words or characters.")
    unit: Unit = Field("word", description="Shingles of `word`s or of `char`acters.")
    bands: int | None = Field(
        None,
        ge=1,
        description="LSH bands; with `rows`, overrides the split derived from the threshold.",
    )
    rows: int | None = Field(None, ge=1, description="Signature values per band.")
    recall_weight: float = Field(
        0.9,
        gt=0,
        lt=1,
        description="How much a missed pair weighs against a needless candidate when bands "
        "and rows are derived (datasketch: 0.5). Candidates are checked against the threshold, "
        "so a needless one costs only time: the default favours recall.",
    )
    seed: int = Field(1, ge=0, description="Seed of the MinHash permutations.")

    @model_validator(mode="after")
    def _bands_rows(self) -> MinHashParams:
        if (self.bands is None) != (self.rows is None):
            raise ValueError("give both bands and rows, or neither")
        if (
            self.bands is not None
            and self.rows is not None
            and self.bands * self.rows > self.num_perm
        ):
            raise ValueError(
                f"bands x rows = {self.bands * self.rows} exceeds num_perm {self.num_perm}"
            )
        return self


class MinHashSigned(NamedTuple):
    """One shard's signatures: MinHash values, band keys, keep ranks; rows of records with no
    text to compare are all zero and flagged ``empty``."""

    values: U32
    bands: U64
    ranks: list[tuple[float, ...]]
    empty: npt.NDArray[np.bool_]


class MinHashDeduplicator(GlobalStep):
    """Drop near-duplicates: records whose shingle sets are about as similar as ``threshold``.

    MinHash signatures (``rensa``'s R-MinHash) over word or character n-gram shingles of the
    normalized scope text (case folded, whitespace collapsed, NFKC); LSH bands and rows derived
    from the threshold (or given); candidate pairs checked against the threshold; pairs joined
    into clusters; one record kept per cluster by the keep policy. Exact copies are clusters too.
    Reads: the texts of the scope's turns (system turns left out by default), or the field; the
    metadata for the keep policy.
    Writes: ``metadata.near_dup`` = ``{"cluster": id, "size": n}`` on the record kept from each
    cluster of two or more (with ``mark``; the id is the kept record's id).
    Drops: ``near_duplicate``: the record is in a cluster whose kept record is another; the value
    is that record's id (where it was read when it has none), the detail the estimated
    similarity and the cluster's size.
    """

    id: ClassVar[str] = "dedup.minhash"
    Params = MinHashParams
    params: MinHashParams
    code: ClassVar[str] = "near_duplicate"

    @property
    def drops_only(self) -> bool:
        return not self.params.mark

    def setup(self) -> None:
        try:
            rensa()
        except ImportError as exc:  # pragma: no cover - the extra is part of every install we test
            raise FtprepError(
                "dedup.minhash needs the rensa package: pip install 'ftprep[dedup]'"
            ) from exc
        p = self.params
        self._norm = Normalizer(("unicode", "case", "whitespace"))
        self._roles = scope_roles(p.scope, p.include_system)
        if p.bands is not None and p.rows is not None:
            self.band_rows = (p.bands, p.rows)
        else:
            self.band_rows = lsh_params(p.threshold, p.num_perm, p.recall_weight)

    def text(self, record: Record) -> str:
        """The normalized text compared (empty when there is none)."""
        self.ensure_setup()
        return self._norm(compared_text(record, self.params, self._roles))

    def sign(self, records: list[Record]) -> MinHashSigned:
        self.ensure_setup()
        p = self.params
        texts = [self.text(r) for r in records]
        values = minhash_matrix(texts, num_perm=p.num_perm, seed=p.seed, ngram=p.ngram, unit=p.unit)
        empty = np.array([not t for t in texts], dtype=bool)
        return MinHashSigned(
            values,
            band_keys(values, *self.band_rows),
            [rank(r, p.keep) for r in records],
            empty,
        )

    def decide_shards(self, shards: Iterable[Signed]) -> Iterator[tuple[Position, Reject | Mark]]:
        self.ensure_setup()
        signed = list(shards)
        if not signed:
            return
        blocks = [MinHashSigned(*s.signatures) for s in signed]
        values = np.concatenate([b.values for b in blocks])
        bands = np.concatenate([b.bands for b in blocks])
        empty = np.concatenate([b.empty for b in blocks])
        ranks = [r for b in blocks for r in b.ranks]
        positions = [s.position(i) for s in signed for i in range(len(s.wheres))]
        pairs = candidate_pairs(bands, empty)
        similar = estimated_similarity(values, pairs[:, 0], pairs[:, 1])
        pairs = pairs[similar >= self.params.threshold]
        roots = union_find(len(positions), pairs)
        yield from self._decisions(roots, values, ranks, positions)

    def _decisions(
        self,
        roots: npt.NDArray[np.int64],
        values: U32,
        ranks: list[tuple[float, ...]],
        positions: list[Position],
    ) -> Iterator[tuple[Position, Reject | Mark]]:
        def similarity(kept: int, others: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
            return estimated_similarity(values, np.full(len(others), kept), others)

        return cluster_decisions(
            roots,
            ranks,
            positions,
            similarity,
            code=self.code,
            mark=self.params.mark,
            what="estimated similarity",
        )


def rensa() -> ModuleType:
    """The rensa module, with Rayon's thread pool (which rensa uses) held to one thread.

    A Rayon pool started in a process does not survive ``fork``: a forked worker that hands it
    work waits forever. The engine forks its workers, and a run with one worker works in the
    calling process, so one process may do both; with one thread rensa never uses the pool. The
    workers give the parallelism instead.
    """
    os.environ["RAYON_NUM_THREADS"] = "1"
    import rensa as module

    return module


def minhash_matrix(
    texts: list[str], *, num_perm: int = 128, seed: int = 1, ngram: int = 5, unit: Unit = "word"
) -> U32:
    """MinHash signatures of normalized ``texts``, one row each (an empty text: all zero)."""
    out = np.zeros((len(texts), num_perm), dtype=np.uint32)
    if not texts:  # a shard every record of which an earlier step dropped
        return out
    RMinHash = rensa().RMinHash
    hashes, offsets = shingle_hashes(texts, ngram, unit)
    nonempty = np.flatnonzero(np.diff(offsets) > 0)
    if len(nonempty) == len(texts):
        matrix = RMinHash.digest_matrix_from_flat_token_hashes(
            hashes, offsets.astype(np.uint64), num_perm, seed
        )
        out[:] = np.asarray(matrix.to_rows(), dtype=np.uint32)
    elif len(nonempty):
        kept_offsets = np.concatenate(([0], np.cumsum(np.diff(offsets)[nonempty])))
        matrix = RMinHash.digest_matrix_from_flat_token_hashes(
            hashes, kept_offsets.astype(np.uint64), num_perm, seed
        )
        out[nonempty] = np.asarray(matrix.to_rows(), dtype=np.uint32)
    return out


def band_keys(values: U32, bands: int, rows: int) -> U64:
    """One 64-bit key per band of ``rows`` signature values (the values past ``bands * rows``
    unused), for all bands at once."""
    n = len(values)
    block = values[:, : bands * rows].reshape(n, bands, rows).astype(np.uint64)
    seeds = np.arange(1, bands + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    with np.errstate(over="ignore"):
        keys = np.broadcast_to(seeds, (n, bands)).copy()
        for r in range(rows):
            keys = (keys ^ block[:, :, r]) * np.uint64(0x100000001B3)
            keys ^= keys >> np.uint64(29)
    return keys


def candidate_pairs(bands: U64, empty: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
    """Pairs ``(i, j)``, ``i < j``, of records that share a band key: in each bucket, every
    member with the bucket's first and with the member before it (for chains)."""
    found = []
    live = np.flatnonzero(~empty)
    for b in range(bands.shape[1]):
        keys = bands[live, b]
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        same = sorted_keys[1:] == sorted_keys[:-1]
        if not same.any():
            continue
        members = live[order]
        starts = np.flatnonzero(np.concatenate(([True], ~same)))
        group_first = np.repeat(members[starts], np.diff(np.concatenate((starts, [len(keys)]))))
        follower = np.flatnonzero(same) + 1
        found.append(np.stack((group_first[follower], members[follower]), axis=1))
        found.append(np.stack((members[follower - 1], members[follower]), axis=1))
    if not found:
        return np.zeros((0, 2), dtype=np.int64)
    pairs = np.concatenate(found).astype(np.int64)
    pairs = np.sort(pairs, axis=1)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    return np.unique(pairs, axis=0)


def estimated_similarity(
    values: U32, left: npt.NDArray[np.int64], right: npt.NDArray[np.int64]
) -> npt.NDArray[np.float64]:
    """The share of equal signature values of each pair (the MinHash Jaccard estimate)."""
    if not len(left):
        return np.zeros(0)
    out = np.empty(len(left))
    step = 65536  # bounded memory whatever the number of pairs
    for start in range(0, len(left), step):
        a, b = values[left[start : start + step]], values[right[start : start + step]]
        out[start : start + step] = (a == b).mean(axis=1)
    return out


def union_find(n: int, pairs: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The root of each of ``n`` items once ``pairs`` are joined: the smallest index of its
    cluster."""
    parent = np.arange(n, dtype=np.int64)
    if not len(pairs):
        return parent
    while True:  # hook each pair's larger root under the smaller, then compress, until stable
        a, b = parent[pairs[:, 0]], parent[pairs[:, 1]]
        low, high = np.minimum(a, b), np.maximum(a, b)
        changed = low != high
        if not changed.any():
            return parent
        np.minimum.at(parent, high[changed], low[changed])
        while True:
            grand = parent[parent]
            if (grand == parent).all():
                break
            parent = grand


@cache
def lsh_params(threshold: float, num_perm: int, recall_weight: float = 0.5) -> tuple[int, int]:
    """Bands and rows minimising the probability mass of false positives (pairs below
    ``threshold`` that become candidates) and false negatives (pairs above it that do not),
    weighed ``1 - recall_weight`` and ``recall_weight``, as datasketch derives them."""
    grid = np.linspace(0.0, 1.0, 1001)
    below, above = grid <= threshold, grid >= threshold
    best: tuple[float, int, int] | None = None
    for bands in range(1, num_perm + 1):
        for rows in range(1, num_perm // bands + 1):
            chance = 1 - (1 - grid**rows) ** bands
            fp = np.trapezoid(chance[below], grid[below])
            fn = np.trapezoid(1 - chance[above], grid[above])
            error = (1 - recall_weight) * fp + recall_weight * fn
            if best is None or error < best[0]:
                best = (float(error), bands, rows)
    assert best is not None
    return best[1], best[2]
