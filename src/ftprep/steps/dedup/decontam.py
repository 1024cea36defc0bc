"""``decontam``: drop or flag training records that repeat a record of evaluation files.

Stages, over plain data:

1. index (in :meth:`Decontaminator.setup`, once, before the workers fork, so they share it):
   every eval file is read with the same machinery as the run's inputs (any container, any
   format, or a column mapping), each eval record's scope text normalized, and an index built:
   ``exact``: a dict from the hash of the text to the eval record; ``ngram``: the sorted hashes
   of every (word n-gram, eval record) pair, with each eval record's count of distinct n-grams;
   ``minhash``: the sorted LSH band keys of the eval signatures, and the signatures;
   ``semantic``: the eval texts' unit-length embeddings (:mod:`ftprep.embed`), one matrix;
2. query (per training record, in the workers): the record's scope text, normalized the same
   way, looked up in the index (binary searches over the sorted arrays; for ``semantic``, one
   embedding and its dot products with every eval embedding); the best eval record found is
   the match.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal, cast

import numpy as np
import numpy.typing as npt
from pydantic import Field, field_validator, model_validator

from ftprep.embed import Embedder
from ftprep.embed.params import EmbedderParams, build_embedder, with_cache
from ftprep.errors import FormatError, FtprepError
from ftprep.formats import ColumnMapping
from ftprep.reading import Rejected, iter_records, open_source
from ftprep.record import Record
from ftprep.steps.base import Reject, StepParams, TransformStep
from ftprep.steps.dedup.common import Normalizer, scope_roles, scope_text
from ftprep.steps.dedup.minhash import band_keys, lsh_params, minhash_matrix
from ftprep.steps.dedup.shingles import shingle_hashes
from ftprep.steps.text import TEXT_ROLE

Method = Literal["exact", "ngram", "minhash", "semantic"]
U32 = npt.NDArray[np.uint32]
U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
F32 = npt.NDArray[np.float32]

#: n-gram size and threshold when the recipe gives none, per method
DEFAULT_NGRAM = {"ngram": 13, "minhash": 5}
DEFAULT_THRESHOLD = {"minhash": 0.8, "semantic": 0.9}
#: characters of eval text shingled per call while indexing (bounds the index's peak memory)
BATCH_CHARS = 4_000_000


class EvalFile(StepParams):
    path: str = Field(description="An eval file (in a recipe, relative to the recipe's folder).")
    format: str | None = Field(None, description="Its format (default: detected).")
    map: dict[str, str] | None = Field(
        None, description="A column mapping, as `--map` takes it (e.g. prompt: question)."
    )


class DecontamParams(EmbedderParams):
    eval_files: list[EvalFile] = Field(
        min_length=1,
        description="The evaluation/test files: paths (in a recipe, relative to the recipe's "
        "folder) or `{path, format, map}`; any container and format an input may have.",
    )
    method: Method = Field(
        "ngram",
        description="`exact`: the normalized text equals an eval record's; `ngram`: they share "
        "word n-grams (`ngram` words, 13 by default); `minhash`: estimated Jaccard similarity of "
        "their word shingles reaches `threshold`; `semantic`: cosine similarity of their "
        "embeddings reaches `threshold` (one embedding per training record: slow).",
    )
    scope: Literal["conversation", "user", "assistant"] = Field(
        "user",
        description="What is compared, on both sides: the `user` turns (benchmark prompts leak), "
        "the `assistant` turns, or the whole `conversation`. A plain-text record's text is "
        "compared in every scope.",
    )
    include_system: bool = Field(
        False, description="Take system and developer turns into a `conversation` comparison."
    )
    ngram: int | None = Field(
        None,
        ge=1,
        le=50,
        description="Words per n-gram: 13 for `ngram`, 5 for `minhash` shingles. A text with "
        "fewer words is one n-gram, the whole text.",
    )
    min_overlap: int = Field(
        1, ge=1, description="With `ngram`: distinct n-grams shared with one eval record."
    )
    min_coverage: float = Field(
        0.0,
        ge=0,
        le=1,
        description="With `ngram`: the share of that eval record's distinct n-grams that must be "
        "in the training text too (0.5: half of the question).",
    )
    skip_common: int = Field(
        0,
        ge=0,
        description="With `ngram`: ignore n-grams found in more than this many eval records "
        "(boilerplate shared by a benchmark's prompts); 0 ignores none.",
    )
    threshold: float | None = Field(
        None,
        gt=0,
        le=1,
        description="With `minhash`: the estimated Jaccard similarity (0.8); with `semantic`: "
        "the cosine similarity (0.9).",
    )
    num_perm: int = Field(128, ge=16, le=1024, description="With `minhash`: signature length.")
    action: Literal["drop", "flag"] = Field(
        "drop",
        description="`drop` a contaminated record, or keep it and `flag` it in "
        "`metadata.contamination`.",
    )

    @field_validator("eval_files", mode="before")
    @classmethod
    def _paths(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list):
            return [{"path": v} if isinstance(v, str) else v for v in value]
        return value

    @model_validator(mode="after")
    def _method_params(self) -> DecontamParams:
        given = self.model_fields_set
        only = {
            "ngram": {"ngram", "minhash"},
            "min_overlap": {"ngram"},
            "min_coverage": {"ngram"},
            "skip_common": {"ngram"},
            "threshold": {"minhash", "semantic"},
            "num_perm": {"minhash"},
            **dict.fromkeys(
                ("model", "endpoint", "api_key_env", "batch_size", "max_chars", "cache_dir"),
                frozenset({"semantic"}),
            ),
        }
        for name, methods in only.items():
            if name in given and self.method not in methods:
                raise ValueError(f"{name} is not read with method: {self.method}")
        return self

    def resolve_paths(self, base: Path) -> DecontamParams:
        resolved = cast(DecontamParams, super().resolve_paths(base))
        files = [
            f if os.path.isabs(f.path) else f.model_copy(update={"path": str(base / f.path)})
            for f in self.eval_files
        ]
        return resolved.model_copy(update={"eval_files": files})


@dataclass(frozen=True, slots=True)
class EvalRef:
    """An eval record: the file as the recipe names it, and its id (else its line)."""

    file: str
    id: str | int | None

    @property
    def label(self) -> str:
        return f"{self.file}:{self.id}"


@dataclass(frozen=True, slots=True)
class Match:
    """The eval record a training text matched, how much (0 to 1), and what overlapped."""

    eval: int
    score: float
    detail: str


class Decontaminator(TransformStep):
    """Drop (or flag) training records that match a record of evaluation or test files.

    Every eval file is read once, before the workers start, and indexed; each training record's
    scope text is then looked up. Texts are compared normalized (NFKC, case folded, punctuation
    removed, whitespace collapsed; for ``semantic`` NFKC and whitespace only), in the same scope
    on both sides (``user``: the eval record's user turns against the training record's).
    Methods: ``exact`` (equal texts), ``ngram`` (shared word n-grams, 13-grams by default; a
    text shorter than ``ngram`` words is one n-gram, so it matches only an equal text),
    ``minhash`` (near-duplicates by estimated Jaccard similarity of word shingles), ``semantic``
    (cosine similarity of embeddings: also rewordings; the eval side is embedded in batches at
    setup, each training record by one call, milliseconds each). A record with no text in scope
    is kept. Eval paths are taken as written: absolute, or relative to the working directory.
    Reads: the texts of the scope's turns (system turns with ``include_system``), a plain-text
    record's text; the same of every eval record.
    Writes: with ``action: flag``, ``metadata.contamination`` = ``{"eval_file", "eval_id",
    "method", "score"}`` (the eval record's id, else its line; the score: 1 for ``exact``, the
    share of the eval record's n-grams found for ``ngram``, the estimated similarity for
    ``minhash``, the cosine for ``semantic``). Counts ``matched:<eval file>`` per match and ``flagged``.
    Drops: ``contaminated`` (with ``action: drop``): the value is ``<eval file>:<eval id or
    line>``, the detail the method and what overlapped (an n-gram, normalized, or the score).
    """

    id: ClassVar[str] = "decontaminate"
    Params = DecontamParams
    params: DecontamParams

    def __init__(
        self,
        params: StepParams | dict[str, Any] | None = None,
        *,
        embedder: Embedder | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(params, **kwargs)
        self.embedder = embedder

    def setup(self) -> None:
        p = self.params
        if p.method == "semantic":
            self._norm = Normalizer(("unicode", "whitespace"))
            self.embedder = (
                with_cache(self.embedder, p)
                if self.embedder
                else build_embedder(p, "decontaminate with method semantic")
            )
        else:
            self._norm = Normalizer(("unicode", "case", "punctuation", "whitespace"))
        roles = scope_roles(p.scope, p.include_system)
        self._roles = None if roles is None else roles | {TEXT_ROLE}
        refs, texts = self._read_evals()
        ngram = DEFAULT_NGRAM.get(p.method, 0) if p.ngram is None else p.ngram
        threshold = DEFAULT_THRESHOLD.get(p.method, 0.0) if p.threshold is None else p.threshold
        if p.method == "exact":
            self._index: _Index = ExactIndex(texts)
        elif p.method == "ngram":
            self._index = NgramIndex(texts, ngram, p)
        elif p.method == "minhash":
            self._index = MinHashIndex(texts, ngram, threshold, p.num_perm)
        else:
            assert self.embedder is not None
            self._index = SemanticIndex(texts, self.embedder, threshold)
        self._refs = refs

    @property
    def eval_size(self) -> int:
        """How many eval records were indexed (those with text in scope)."""
        self.ensure_setup()
        return len(self._refs)

    def text(self, record: Record) -> str:
        """The normalized text compared (empty when there is none)."""
        text = self._norm(scope_text(record, self._roles).replace("\x00", " "))
        return text[: self.params.max_chars] if self.params.method == "semantic" else text

    def match(self, record: Record) -> tuple[EvalRef, Match] | None:
        """The eval record ``record`` matches, and how; None when it matches none."""
        self.ensure_setup()
        text = self.text(record)
        if not text:
            return None
        found = self._index.query(text)
        return None if found is None else (self._refs[found.eval], found)

    def transform(self, record: Record) -> Record | Reject:
        found = self.match(record)
        if found is None:
            return record
        ref, match = found
        self.count(f"matched:{ref.file}")
        method = self.params.method
        if self.params.action == "drop":
            return Reject("contaminated", value=ref.label, detail=f"{method}: {match.detail}")
        self.count("flagged")
        record.metadata["contamination"] = {
            "eval_file": ref.file,
            "eval_id": ref.id,
            "method": method,
            "score": round(match.score, 4),
        }
        return record

    def _read_evals(self) -> tuple[list[EvalRef], list[str]]:
        refs: list[EvalRef] = []
        texts: list[str] = []
        for spec in self.params.eval_files:
            mapping = (
                ColumnMapping.from_options(
                    [f"{k}={v}" for k, v in spec.map.items()], formatting=spec.format
                )
                if spec.map
                else None
            )
            source = open_source(spec.path, fmt=None if mapping else spec.format, mapping=mapping)
            for item in iter_records(source):
                if isinstance(item, Rejected):
                    raise FormatError(
                        f"eval file row unreadable ({item.reason}); fix or remove it, or every "
                        "training record is compared against an incomplete eval set",
                        file=item.file,
                        line=item.line,
                        field=item.field,
                    )
                text = self.text(item)
                if text:
                    line = item.source.line if item.source is not None else None
                    refs.append(EvalRef(spec.path, item.id if item.id is not None else line))
                    texts.append(text)
        if not texts:
            files = ", ".join(s.path for s in self.params.eval_files)
            raise FtprepError(f"decontam: no eval record of {files} has text in scope")
        return refs, texts


class _Index:
    def query(self, text: str) -> Match | None:
        raise NotImplementedError


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


class ExactIndex(_Index):
    """Normalized texts by hash (the first eval record of each)."""

    def __init__(self, texts: list[str]) -> None:
        self.first: dict[bytes, int] = {}
        for i, text in enumerate(texts):
            self.first.setdefault(_digest(text), i)

    def query(self, text: str) -> Match | None:
        found = self.first.get(_digest(text))
        if found is None:
            return None
        return Match(found, 1.0, "normalized text equal")


def _batches(texts: list[str]) -> list[tuple[int, list[str]]]:
    """``texts`` cut into runs of about :data:`BATCH_CHARS` characters, with their start."""
    out: list[tuple[int, list[str]]] = []
    start, size = 0, 0
    for i, text in enumerate(texts):
        size += len(text)
        if size >= BATCH_CHARS:
            out.append((start, texts[start : i + 1]))
            start, size = i + 1, 0
    if start < len(texts):
        out.append((start, texts[start:]))
    return out


class SortedKeys:
    """64-bit keys, sorted, with their owners (eval records), and a bitmap of their top bits
    (about 8 bits per key) that turns most keys that are absent away before a binary search."""

    def __init__(self, keys: U64, owner: npt.NDArray[np.int32]) -> None:
        self.keys, self.owner = keys, owner
        bits = max(1 << 16, 1 << int(8 * max(len(keys), 1) - 1).bit_length())
        self.shift = np.uint64(64 - bits.bit_length() + 1)
        self.bitmap = np.zeros(bits // 8, dtype=np.uint8)
        top = keys >> self.shift  # non-decreasing, for the keys are sorted
        top = top[np.concatenate(([True], top[1:] != top[:-1]))]
        byte = top >> np.uint64(3)
        heads = np.flatnonzero(np.concatenate(([True], byte[1:] != byte[:-1])))
        flags = np.left_shift(1, top & np.uint64(7)).astype(np.uint8)
        self.bitmap[byte[heads]] = np.bitwise_or.reduceat(flags, heads) if len(heads) else 0

    @property
    def nbytes(self) -> int:
        return int(self.keys.nbytes + self.owner.nbytes + self.bitmap.nbytes)

    def find(self, query: U64) -> I64:
        """Positions of every key equal to one of the (distinct) ``query``."""
        top = query >> self.shift
        maybe = query[
            (self.bitmap[top >> np.uint64(3)] >> (top & np.uint64(7)).astype(np.uint8)) & 1 > 0
        ]
        if not len(maybe):
            return np.zeros(0, dtype=np.int64)
        lo = np.searchsorted(self.keys, maybe, side="left")
        present = self.keys[np.minimum(lo, len(self.keys) - 1)] == maybe
        if not present.any():
            return np.zeros(0, dtype=np.int64)
        lo, maybe = lo[present].astype(np.int64), maybe[present]
        lengths = np.searchsorted(self.keys, maybe, side="right") - lo
        heads = np.cumsum(lengths) - lengths
        return np.arange(int(lengths.sum()), dtype=np.int64) + np.repeat(lo - heads, lengths)


class NgramIndex(_Index):
    """Every distinct (n-gram hash, eval record) pair, sorted by hash; each eval record's
    number of distinct n-grams."""

    def __init__(self, texts: list[str], ngram: int, p: DecontamParams) -> None:
        self.ngram = ngram
        self.min_overlap, self.min_coverage = p.min_overlap, p.min_coverage
        hashes, owners = [], []
        for start, batch in _batches(texts):
            h, offsets = shingle_hashes(batch, ngram)
            hashes.append(h)
            first = np.arange(start, start + len(batch), dtype=np.int32)
            owners.append(np.repeat(first, np.diff(offsets)))
        keys, owner = np.concatenate(hashes), np.concatenate(owners)
        del hashes, owners
        order = np.argsort(keys, kind="stable")  # by hash, then owner (owners come in order)
        keys, owner = keys[order], owner[order]
        del order
        fresh = np.concatenate(([True], (keys[1:] != keys[:-1]) | (owner[1:] != owner[:-1])))
        keys, owner = keys[fresh], owner[fresh]
        self.sizes = np.bincount(owner, minlength=len(texts))
        if p.skip_common:
            heads = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
            df = np.diff(np.concatenate((heads, [len(keys)])))
            keep = np.repeat(df <= p.skip_common, df)
            keys, owner = keys[keep], owner[keep]
        self.index = SortedKeys(keys, owner)

    def query(self, text: str) -> Match | None:
        hashes, _ = shingle_hashes([text], self.ngram)
        index = self.index
        at = index.find(np.unique(hashes))
        if not len(at):
            return None
        evals, shared = np.unique(index.owner[at], return_counts=True)
        coverage = shared / self.sizes[evals]
        ok = (shared >= self.min_overlap) & (coverage >= self.min_coverage)
        if not ok.any():
            return None
        best = int(np.flatnonzero(ok)[np.argmax(shared[ok])])  # most shared; ties: first
        found, n = int(evals[best]), int(shared[best])
        first = int(np.flatnonzero(np.isin(hashes, index.keys[at][index.owner[at] == found]))[0])
        example = " ".join(text.split(" ")[first : first + self.ngram])
        if len(example) > 200:
            example = example[:199] + "…"
        plural = "s" if n > 1 else ""
        detail = (
            f"{n} shared {self.ngram}-gram{plural} ({coverage[best]:.0%} of the eval record's), "
            f'e.g. "{example}"'
        )
        return Match(found, float(coverage[best]), detail)


class MinHashIndex(_Index):
    """The eval signatures, and their LSH band keys sorted (band keys differ between bands)."""

    def __init__(self, texts: list[str], ngram: int, threshold: float, num_perm: int) -> None:
        try:
            import rensa  # noqa: F401
        except ImportError as exc:  # pragma: no cover - the extra is part of every install we test
            raise FtprepError(
                "decontam with method minhash needs the rensa package: pip install 'ftprep[dedup]'"
            ) from exc
        self.ngram, self.threshold, self.num_perm = ngram, threshold, num_perm
        self.band_rows = lsh_params(threshold, num_perm, 0.9)
        self.values = np.concatenate(
            [minhash_matrix(b, num_perm=num_perm, ngram=ngram) for _, b in _batches(texts)]
        )
        keys = band_keys(self.values, *self.band_rows).ravel()
        order = np.argsort(keys, kind="stable")
        self.index = SortedKeys(keys[order], (order // self.band_rows[0]).astype(np.int32))

    def query(self, text: str) -> Match | None:
        values = minhash_matrix([text], num_perm=self.num_perm, ngram=self.ngram)
        at = self.index.find(np.unique(band_keys(values, *self.band_rows)[0]))
        if not len(at):
            return None
        candidates = np.unique(self.index.owner[at])
        similar = (self.values[candidates] == values[0]).mean(axis=1)
        best = int(np.argmax(similar))  # ties: the first eval record
        if similar[best] < self.threshold:
            return None
        score = float(similar[best])
        return Match(int(candidates[best]), score, f"estimated Jaccard similarity {score:.2f}")


class SemanticIndex(_Index):
    """The eval texts' unit-length embeddings, one row each."""

    #: how far below the threshold a float32 cosine may fall and still count (rounding)
    tolerance = 1e-6

    def __init__(self, texts: list[str], embedder: Embedder, threshold: float) -> None:
        self.embedder, self.threshold = embedder, threshold
        self.vectors: F32 = embedder.embed(texts)

    def query(self, text: str) -> Match | None:
        similar = self.vectors @ self.embedder.embed([text])[0]
        best = int(np.argmax(similar))  # ties: the first eval record
        if similar[best] < self.threshold - self.tolerance:
            return None
        score = min(float(similar[best]), 1.0)
        return Match(best, score, f"cosine similarity {score:.3f}")
