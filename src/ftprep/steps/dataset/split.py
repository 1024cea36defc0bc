"""``split``: train/validation/test splits, random, stratified, grouped, with a leakage check."""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar, Literal, NamedTuple

import numpy as np
import numpy.typing as npt
import orjson
from pydantic import Field, field_validator, model_validator

from ftprep.record import Record
from ftprep.steps.base import GlobalStep, Mark, Position, Reject, Signed, StepParams
from ftprep.steps.dataset.leakage import (
    MAX_LISTED,
    Leak,
    crossing_leaks,
    leak_clusters,
    leak_pairs,
)
from ftprep.steps.dedup.common import field_label, field_value
from ftprep.steps.dedup.exact import ExactDeduplicator
from ftprep.steps.dedup.minhash import MinHashDeduplicator, minhash_matrix
from ftprep.steps.dedup.shingles import Unit

DEFAULT_NAMES = {2: ["train", "test"], 3: ["train", "validation", "test"]}


class SplitParams(StepParams):
    ratios: list[float] = Field(
        default_factory=lambda: [0.8, 0.1, 0.1],
        description="Share of each split (any positive numbers: `[8, 1, 1]` is the default too).",
    )
    names: list[str] | None = Field(
        None,
        description="Split names (default: train, test for two; train, validation, test for "
        "three; split0, split1... beyond).",
    )
    stratify: str | None = Field(
        None,
        description="Dotted path whose values keep their shares in every split, e.g. "
        "`metadata.category`.",
    )
    group: str | None = Field(
        None,
        description="Dotted path whose records always share a split, e.g. "
        "`metadata.session_id`, `metadata.user_id`, `metadata.parent_id`.",
    )
    seed: int = Field(0, description="Seed of the hash that orders records (or groups).")
    min_size: int = Field(
        50, ge=0, description="Warn when a split other than the first has fewer records."
    )
    leakage: Literal["report", "move", "drop", "off"] = Field(
        "report",
        description="Records of two splits that are the same or near-duplicates: `report` them "
        "(warning, ids in stats.json), `move` them into one split (they are grouped before "
        "splitting), `drop` the copies outside the first split they are in, or `off`.",
    )
    leakage_scope: Literal["conversation", "user"] = Field(
        "user",
        description="What is compared for leakage: the user turns (a test prompt seen "
        "in training) or the whole conversation (system turns left out).",
    )
    leakage_threshold: float | None = Field(
        0.8,
        gt=0,
        lt=1,
        description="MinHash similarity for near-duplicate leaks (null: exact leaks only).",
    )
    ngram: int = Field(5, ge=1, description="Shingle size for near-duplicate leaks, in `unit`s.")
    unit: Unit = Field("word", description="Shingles of words or characters for leaks.")

    @field_validator("ratios")
    @classmethod
    def _positive(cls, value: list[float]) -> list[float]:
        if len(value) < 2 or any(r <= 0 for r in value):
            raise ValueError("give two or more positive ratios, e.g. [0.8, 0.1, 0.1]")
        return value

    @model_validator(mode="after")
    def _named(self) -> SplitParams:
        names = self.split_names()
        if len(names) != len(self.ratios):
            raise ValueError(f"{len(names)} names for {len(self.ratios)} ratios")
        if len(set(names)) != len(names) or not all(names):
            raise ValueError("split names must be distinct and not empty")
        return self

    def split_names(self) -> list[str]:
        """The names of the splits, in order (what ``{split}`` in an output path expands to)."""
        if self.names is not None:
            return list(self.names)
        return DEFAULT_NAMES.get(len(self.ratios), [f"split{i}" for i in range(len(self.ratios))])

    def shares(self) -> list[float]:
        total = sum(self.ratios)
        return [r / total for r in self.ratios]


class SplitSigned(NamedTuple):
    """One shard's split signatures."""

    units: list[str]
    strata: list[str | None]
    keys: list[bytes | None]
    values: npt.NDArray[np.uint32] | None
    #: ``metadata.parent_id`` of each record (augmented variants name their parent)
    parents: list[str | None] | None = None


class Splitter(GlobalStep):
    """Assign each record to a split (train/validation/test), seeded and stable.

    A record's place follows from a hash of the seed and its unit (its group's value with
    ``group``, else its id, else its content), never from the input order: reordering the input
    changes nothing, and copies without ids land together. Units are ordered by that hash and
    dealt out by record count so that each split gets its share exactly, within each stratum
    with ``stratify`` (a group goes to its most common stratum). Leakage: records of two splits
    that are the same (exact, after normalization) or near-duplicates (MinHash) are reported,
    moved together or dropped (see ``leakage``). Warns when a split is too small to measure
    anything, or a stratum has fewer groups than there are splits.
    A record that names a parent (``metadata.parent_id``, as augmented variants do) goes where
    its parent goes.
    Reads: the ``group`` and ``stratify`` fields; the id and ``metadata.parent_id``; the texts of
    the leakage scope.
    Writes: ``metadata.split`` (the split's name); outputs route by it (``{split}`` in a path).
    Drops: ``leakage`` (with ``leakage: drop``): the record repeats one of an earlier split; the
    value names that record, the detail its split and whether the match is exact or near.
    """

    id: ClassVar[str] = "split"
    Params = SplitParams
    params: SplitParams
    code: ClassVar[str] = "leakage"

    @property
    def drops_only(self) -> bool:
        return False

    def setup(self) -> None:
        p = self.params
        self._exact = ExactDeduplicator(scope=p.leakage_scope, include_system=False)
        self._near = MinHashDeduplicator(
            scope=p.leakage_scope, ngram=p.ngram, unit=p.unit, mark=False
        )
        self._exact.ensure_setup()
        self._near.ensure_setup()

    def sign(self, records: list[Record]) -> SplitSigned:
        self.ensure_setup()
        p = self.params
        units, strata, keys = [], [], []
        for record in records:
            key = self._exact.key(record)
            keys.append(key if p.leakage != "off" else None)
            units.append(self._unit(record, key))
            strata.append(field_label(field_value(record, p.stratify)) if p.stratify else None)
        values = None
        if p.leakage != "off" and p.leakage_threshold is not None:
            values = minhash_matrix(
                [self._near.text(r) for r in records], ngram=p.ngram, unit=p.unit
            )
        parents = [_parent(r) for r in records]
        return SplitSigned(units, strata, keys, values, parents if any(parents) else None)

    def _unit(self, record: Record, key: bytes | None) -> str:
        if self.params.group:
            value = field_value(record, self.params.group)
            if value is not None:
                return "group:" + (field_label(value) or "")
        if record.id is not None:
            return "id:" + record.id
        content = key
        if content is None:  # nothing to compare: the whole record stands for itself
            content = hashlib.blake2b(
                orjson.dumps(record.to_dict(), option=orjson.OPT_SORT_KEYS)
            ).digest()
        return "content:" + content.hex()

    def decide_shards(self, shards: Iterable[Signed]) -> Iterator[tuple[Position, Reject | Mark]]:
        self.ensure_setup()
        p = self.params
        signed = list(shards)
        blocks = [SplitSigned(*s.signatures) for s in signed]
        positions = [s.position(i) for s in signed for i in range(len(s.wheres))]
        units = [u for b in blocks for u in b.units]
        strata = [s for b in blocks for s in b.strata]
        keys = [k for b in blocks for k in b.keys]
        arrays = [b.values for b in blocks if b.values is not None]
        values = np.concatenate(arrays) if arrays else None
        leaks = leak_pairs(keys, values, p.leakage_threshold) if p.leakage != "off" else []
        family = _family(
            positions, [x for b in blocks for x in (b.parents or [None] * len(b.units))]
        )
        unit_of = _merged_units(units, [*family, *(leaks if p.leakage == "move" else [])])
        split_of, thin = self._assign(unit_of, strata)
        names = p.split_names()
        crossing = crossing_leaks(leaks, split_of)
        dropped = self._leak_drops(crossing, split_of, positions) if p.leakage == "drop" else {}
        self._report(split_of, strata, thin, crossing, positions)
        marks = [Mark({"split": name}) for name in names]  # shared: small decision files
        for i, position in enumerate(positions):
            if i in dropped:
                yield position, dropped[i]
            else:
                yield position, marks[split_of[i]]

    def _assign(
        self, unit_of: list[str], strata: list[str | None]
    ) -> tuple[list[int], list[tuple[str | None, int]]]:
        """The split index of each record (units ordered by hash, dealt out by record count),
        and the strata with fewer units than splits."""
        p = self.params
        members: dict[str, list[int]] = defaultdict(list)
        for i, unit in enumerate(unit_of):
            members[unit].append(i)
        by_stratum: dict[str | None, list[str]] = defaultdict(list)
        for unit, index in members.items():
            votes = Counter(strata[i] for i in index)
            top = max(votes.values())
            stratum = min((s for s, v in votes.items() if v == top), key=lambda s: (s is None, s))
            by_stratum[stratum].append(unit)
        bounds = np.cumsum(p.shares()).tolist()
        seed = str(p.seed).encode() + b"\x00"
        split_of = [0] * len(unit_of)
        thin: list[tuple[str | None, int]] = []
        for stratum, stratum_units in by_stratum.items():
            stratum_units.sort(key=lambda u: (hashlib.blake2b(seed + u.encode()).digest(), u))
            total = sum(len(members[u]) for u in stratum_units)
            done = 0
            for unit in stratum_units:
                size = len(members[unit])
                split = min(bisect_right(bounds, (done + size / 2) / total), len(bounds) - 1)
                for i in members[unit]:
                    split_of[i] = split
                done += size
            if p.stratify and len(stratum_units) < len(bounds):
                thin.append((stratum, len(stratum_units)))
        return split_of, thin

    def _leak_drops(
        self, crossing: list[Leak], split_of: list[int], positions: list[Position]
    ) -> dict[int, Reject]:
        """For ``leakage: drop``: each leaked record outside its cluster's earliest split is
        dropped, naming the cluster's record in that split."""
        names = self.params.split_names()
        return {
            x.right: Reject(
                self.code,
                value=positions[x.left].label,
                detail=f"{x.kind} twin of {positions[x.left].where} in split "
                f"{names[split_of[x.left]]}",
            )
            for x in crossing
        }

    def _report(
        self,
        split_of: list[int],
        strata: list[str | None],
        thin: list[tuple[str | None, int]],
        crossing: list[Leak],
        positions: list[Position],
    ) -> None:
        p = self.params
        names = p.split_names()
        sizes = Counter(names[s] for s in split_of)
        report: dict[str, Any] = {"sizes": {name: sizes.get(name, 0) for name in names}}
        for name in names:
            self.count(f"split:{name}", sizes.get(name, 0))
        if p.stratify:
            table: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(names, 0))
            for s, stratum in zip(split_of, strata, strict=True):
                table[stratum if stratum is not None else "(missing)"][names[s]] += 1
            report["strata"] = dict(sorted(table.items())[:MAX_LISTED])
        for name in names[1:]:
            if sizes.get(name, 0) < p.min_size:
                self.warn(
                    f"split {name} has {sizes.get(name, 0)} records: too few to measure anything "
                    f"(min_size {p.min_size})"
                )
        for stratum, count in thin:
            self.warn(f"stratum {stratum!r} has {count} unit(s) for {len(names)} splits")
        if crossing:
            kinds = Counter(x.kind for x in crossing)
            resolved = {"move": "moved into one split", "drop": "copies dropped"}
            self.warn(
                f"{len(crossing)} record(s) leak across splits ({kinds['exact']} exact, "
                f"{kinds['near']} near-duplicate): "
                + resolved.get(p.leakage, "listed in stats.json; leakage: move or drop resolves")
            )
            report["leaks"] = {
                "records": len(crossing),
                "exact": kinds["exact"],
                "near": kinds["near"],
                "listed": [
                    {
                        "a": positions[x.left].label,
                        "a_split": names[split_of[x.left]],
                        "b": positions[x.right].label,
                        "b_split": names[split_of[x.right]],
                        "kind": x.kind,
                        "similarity": round(x.similarity, 3),
                    }
                    for x in crossing[:MAX_LISTED]
                ],
            }
        self.stats.report.update(report)


def _parent(record: Record) -> str | None:
    parent = record.metadata.get("parent_id")
    return parent if isinstance(parent, str) and parent else None


def _family(positions: list[Position], parents: list[str | None]) -> list[Leak]:
    """Pairs joining each record that names a parent (``metadata.parent_id``: an id, or the
    file:line of a record without one) to that parent, so that they share a split."""
    if not any(parents):
        return []
    by_label: dict[str, int] = {}
    for i, position in enumerate(positions):
        by_label.setdefault(position.where, i)
        if position.id is not None:
            by_label.setdefault(position.id, i)
    pairs = []
    for i, parent in enumerate(parents):
        j = by_label.get(parent) if parent is not None else None
        if j is not None and j != i:
            pairs.append(Leak(i, j, "parent", 1.0))
    return pairs


def _merged_units(units: list[str], leaks: list[Leak]) -> list[str]:
    """Each record's unit, with the units of leaked records merged (named by their smallest)."""
    if not leaks:
        return units
    index: dict[str, int] = {}
    ids = np.array([index.setdefault(u, len(index)) for u in units], dtype=np.int64)
    names = list(index)
    pairs = np.array([(ids[x.left], ids[x.right]) for x in leaks], dtype=np.int64)
    roots = leak_clusters(len(names), [Leak(int(a), int(b), "", 0.0) for a, b in pairs])
    merged: dict[int, str] = {}
    for unit_id, root in enumerate(roots.tolist()):
        name = names[unit_id]
        if root not in merged or name < merged[root]:
            merged[root] = name
    return [merged[int(roots[i])] for i in ids.tolist()]
