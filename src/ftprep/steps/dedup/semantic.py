"""``dedup.semantic``: near-duplicates by meaning, from text embeddings.

Stages, over plain data:

1. per shard (in the workers): each record's scope text is embedded (:mod:`ftprep.embed`: a local
   sentence-transformers model, or an OpenAI-compatible endpoint, optionally through an on-disk
   cache) into a unit-length vector;
2. decision (once): pairs of records whose cosine similarity reaches the threshold are found,
   exactly by tiled matrix products up to ``exact_limit`` records, else approximately by an
   inverted-file index (FAISS) queried for each record's nearest neighbours; pairs are joined
   into clusters (union-find); each cluster keeps one record by the keep policy and drops the
   others; the kept record of a cluster of two or more is marked with the cluster's id and size.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar, NamedTuple

import numpy as np
import numpy.typing as npt
from pydantic import Field

from ftprep.embed import Embedder
from ftprep.embed.params import EmbedderParams, build_embedder, with_cache
from ftprep.errors import MissingExtraError
from ftprep.record import Record
from ftprep.steps.base import GlobalStep, Mark, Position, Reject, Signed, StepParams
from ftprep.steps.dedup.common import (
    NearDupParams,
    Normalizer,
    cluster_decisions,
    compared_text,
    rank,
    scope_roles,
)
from ftprep.steps.dedup.minhash import union_find

F32 = npt.NDArray[np.float32]
I64 = npt.NDArray[np.int64]
#: how far below the threshold a float32 cosine may fall and still count (rounding)
TOLERANCE = 1e-6


class SemanticParams(NearDupParams, EmbedderParams):
    threshold: float = Field(
        0.9,
        gt=0,
        le=1,
        description="Cosine similarity of the embeddings to count as a near-duplicate. With "
        "all-MiniLM-L6-v2, rewordings and fill-ins of one template score above 0.9 and texts "
        "that only share a topic below 0.8.",
    )
    exact_limit: int = Field(
        1_000_000,
        ge=0,
        description="Up to this many records, every pair is compared (exact); above, each "
        "record's nearest neighbours are found with a FAISS index (approximate).",
    )
    neighbours: int = Field(
        32, ge=1, le=1024, description="Neighbours looked up per record above `exact_limit`."
    )


class SemanticSigned(NamedTuple):
    """One shard's signatures: unit-length embeddings (rows of records with no text are zero and
    flagged ``empty``; no columns when the shard has no text at all) and keep ranks."""

    vectors: F32
    ranks: list[tuple[float, ...]]
    empty: npt.NDArray[np.bool_]


class SemanticDeduplicator(GlobalStep):
    """Drop near-duplicates by meaning: records whose embeddings have a cosine similarity of at
    least ``threshold``.

    Embeddings of the scope text (Unicode and whitespace normalized) from the bundled
    all-MiniLM-L6-v2, another local sentence-transformers model or an OpenAI-compatible endpoint,
    optionally cached on disk; every pair compared up to ``exact_limit`` records, nearest
    neighbours from a FAISS index beyond; pairs joined into clusters; one record kept per cluster
    by the keep policy. Unlike ``dedup.minhash`` it also finds rewordings (a paraphrase shares
    few shingles). The default threshold, 0.9, joins rewordings and fill-ins of one template with
    all-MiniLM-L6-v2; lower it (0.85) to be bolder, raise it (0.95) for near-copies only.
    Reads: the texts of the scope's turns (system turns left out by default), or the field; the
    metadata for the keep policy.
    Writes: ``metadata.near_dup`` = ``{"cluster": id, "size": n}`` on the record kept from each
    cluster of two or more (with ``mark``; the id is the kept record's id).
    Drops: ``near_duplicate``: the record is in a cluster whose kept record is another; the value
    is that record's id (where it was read when it has none), the detail the cosine similarity
    and the cluster's size.
    """

    id: ClassVar[str] = "dedup.semantic"
    Params = SemanticParams
    params: SemanticParams
    code: ClassVar[str] = "near_duplicate"

    def __init__(
        self,
        params: StepParams | dict[str, Any] | None = None,
        *,
        embedder: Embedder | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(params, **kwargs)
        self.embedder = embedder

    @property
    def drops_only(self) -> bool:
        return not self.params.mark

    def setup(self) -> None:
        p = self.params
        self._norm = Normalizer(("unicode", "whitespace"))
        self._roles = scope_roles(p.scope, p.include_system)
        self.embedder = (
            with_cache(self.embedder, p) if self.embedder else build_embedder(p, "dedup.semantic")
        )

    def text(self, record: Record) -> str:
        """The text embedded (empty when there is none)."""
        return self._norm(compared_text(record, self.params, self._roles))[: self.params.max_chars]

    def sign(self, records: list[Record]) -> SemanticSigned:
        self.ensure_setup()
        assert self.embedder is not None
        texts = [self.text(r) for r in records]
        distinct = list(dict.fromkeys(t for t in texts if t))  # each text embedded once
        found = self.embedder.embed(distinct) if distinct else np.zeros((0, 0), np.float32)
        row = {t: k for k, t in enumerate(distinct)}
        vectors = np.zeros((len(texts), found.shape[1]), dtype=np.float32)
        for i, t in enumerate(texts):
            if t:
                vectors[i] = found[row[t]]
        empty = np.array([not t for t in texts], dtype=bool)
        return SemanticSigned(vectors, [rank(r, self.params.keep) for r in records], empty)

    def decide_shards(self, shards: Iterable[Signed]) -> Iterator[tuple[Position, Reject | Mark]]:
        signed = list(shards)
        if not signed:
            return
        p = self.params
        blocks = [SemanticSigned(*s.signatures) for s in signed]
        dim = max(b.vectors.shape[1] for b in blocks)
        vectors = np.concatenate(
            [
                b.vectors
                if b.vectors.shape[1] == dim
                else np.zeros((len(b.ranks), dim), np.float32)
                for b in blocks
            ]
        ).astype(np.float32, copy=False)
        empty = np.concatenate([b.empty for b in blocks])
        ranks = [r for b in blocks for r in b.ranks]
        positions = [s.position(i) for s in signed for i in range(len(s.wheres))]
        live = np.flatnonzero(~empty)
        found = vectors[live]
        if len(live) <= p.exact_limit:
            tiles = similar_pairs(found, p.threshold)
        else:
            tiles = nearest_pairs(found, p.threshold, p.neighbours)
        roots = connect(len(positions), (live[pairs] for pairs in tiles))

        def similarity(kept: int, others: I64) -> npt.NDArray[np.float64]:
            cosine = vectors[others] @ vectors[kept]
            return np.clip(cosine.astype(np.float64), -1.0, 1.0)

        yield from cluster_decisions(
            roots, ranks, positions, similarity, code=self.code, mark=p.mark, what="cosine"
        )


def similar_pairs(vectors: F32, threshold: float, block: int = 4096) -> Iterator[I64]:
    """Every pair ``(i, j)``, ``i < j``, of rows whose dot product reaches ``threshold``: the
    upper triangle of ``vectors @ vectors.T`` in ``block`` x ``block`` tiles (bounded memory),
    one array of pairs per tile."""
    n = len(vectors)
    cut = np.float32(threshold - TOLERANCE)
    for top in range(0, n, block):
        rows = vectors[top : top + block]
        for left in range(top, n, block):
            a, b = np.nonzero(rows @ vectors[left : left + block].T >= cut)
            a, b = a + top, b + left
            upper = b > a
            if upper.any():
                yield np.stack((a[upper], b[upper]), axis=1).astype(np.int64)


def nearest_pairs(vectors: F32, threshold: float, k: int, batch: int = 16384) -> Iterator[I64]:
    """Pairs of rows whose dot product reaches ``threshold`` among each row's ``k`` nearest
    neighbours in a FAISS inverted-file index (approximate: a pair outside the probed cells or
    beyond the ``k`` nearest is missed). Deterministic: the index is trained on a seeded sample."""
    try:
        import faiss
    except ImportError as exc:
        raise MissingExtraError("dedup.semantic beyond exact_limit", "semantic", "faiss") from exc
    n, dim = vectors.shape
    if n < 2:
        return
    cells = max(1, min(int(4 * math.sqrt(n)), n // 39))  # FAISS wants 39 points per cell
    index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, cells, faiss.METRIC_INNER_PRODUCT)
    sample = np.random.default_rng(0).choice(n, size=min(n, cells * 64), replace=False)
    index.train(np.ascontiguousarray(vectors[np.sort(sample)]))
    index.add(np.ascontiguousarray(vectors))
    index.nprobe = min(cells, 32)
    cut = np.float32(threshold - TOLERANCE)
    for start in range(0, n, batch):
        sims, ids = index.search(np.ascontiguousarray(vectors[start : start + batch]), k + 1)
        rows = np.broadcast_to(np.arange(start, start + len(ids))[:, None], ids.shape)
        ok = (ids >= 0) & (ids != rows) & (sims >= cut)
        if ok.any():
            yield np.stack((rows[ok], ids[ok]), axis=1).astype(np.int64)


def connect(n: int, tiles: Iterable[I64]) -> I64:
    """:func:`union_find` over every pair of ``tiles``, in bounded memory: a tile is cut to a
    spanning forest of its pairs, and the edges kept are folded into one forest when they
    outnumber the items four times. Same roots as joining every pair at once."""
    kept: list[I64] = []
    size = 0
    for pairs in tiles:
        if len(pairs) > 64:
            pairs = spanning_forest(pairs)
        kept.append(pairs)
        size += len(pairs)
        if size > 4 * n + 65536:
            roots = union_find(n, np.concatenate(kept))
            child = np.flatnonzero(roots != np.arange(n))
            kept = [np.stack((roots[child], child), axis=1)]
            size = len(child)
    return union_find(n, np.concatenate(kept) if kept else np.zeros((0, 2), dtype=np.int64))


def spanning_forest(pairs: I64) -> I64:
    """Pairs that connect the same items as ``pairs`` do: each item to the smallest of its
    component."""
    nodes, local = np.unique(pairs, return_inverse=True)
    roots = union_find(len(nodes), local.reshape(pairs.shape).astype(np.int64))
    child = np.flatnonzero(roots != np.arange(len(nodes)))
    return np.stack((nodes[roots[child]], nodes[child]), axis=1)
