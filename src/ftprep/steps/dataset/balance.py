"""``balance``: per-class caps and floors, and a composition by example type."""

from __future__ import annotations

import hashlib
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar, Literal, NamedTuple

import orjson
from pydantic import Field, field_validator, model_validator

from ftprep.record import Record
from ftprep.steps.base import GlobalStep, Mark, Position, Reject, Signed, StepParams
from ftprep.steps.dedup.common import field_label, field_value, rank

MISSING = "(missing)"


class BalanceParams(StepParams):
    field: str = Field(
        "metadata.category", description="Dotted path of the class (category, example type...)."
    )
    max_per_class: int | None = Field(
        None, ge=1, description="Downsample each class to at most this many records."
    )
    min_per_class: int | None = Field(
        None, ge=1, description="Upsample each smaller class to this many records, by copies."
    )
    max_copies: int = Field(
        2,
        ge=1,
        description="The most times one record may appear, itself included (upsampling "
        "stops there, with a warning).",
    )
    targets: dict[str, float] | None = Field(
        None,
        description="Composition by class, e.g. `{common: 0.6, edge_case: 0.2, "
        "clarification: 0.1, refusal: 0.1}` (shares of the listed classes; other classes are "
        "left alone). Reported against the actual mix.",
    )
    enforce: bool = Field(
        False, description="Downsample the listed classes until the mix meets `targets`."
    )
    tolerance: float = Field(
        0.05, ge=0, le=1, description="Warn when a listed class's share is off its target by more."
    )
    keep: Literal["random", "first", "rating", "longest", "newest"] = Field(
        "random",
        description="Which records a downsampled class keeps (and which are copied "
        "first): a seeded `random` sample, the `first`, the highest `rating`, the `longest`, the "
        "`newest`.",
    )
    seed: int = Field(0, description="Seed of the random sample.")

    @field_validator("targets")
    @classmethod
    def _shares(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        if value is not None and (not value or any(v < 0 for v in value.values())):
            raise ValueError("targets are non-negative shares of one or more classes")
        if value is not None and sum(value.values()) <= 0:
            raise ValueError("targets must not all be zero")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> BalanceParams:
        if self.enforce and not self.targets:
            raise ValueError("enforce needs targets")
        low, high = self.min_per_class, self.max_per_class
        if low is not None and high is not None and low > high:
            raise ValueError(f"min_per_class {low} is above max_per_class {high}")
        return self


class BalanceSigned(NamedTuple):
    classes: list[str]
    ranks: list[tuple[Any, ...]]


class Balancer(GlobalStep):
    """Shape the class mix: cap large classes, copy small ones, meet a composition.

    Classes are the values of ``field``. ``max_per_class`` downsamples a class to a cap;
    ``min_per_class`` upsamples a smaller one with copies of its records, each record appearing at
    most ``max_copies`` times (a warning says when that stops short); ``targets`` is a composition
    by example type, reported against the actual mix before and after and, with ``enforce``, met
    by downsampling. The records kept (and copied first) follow ``keep``; ``random`` is a seeded
    hash of each record, the same whatever the input order.
    Reads: the ``field``; the id or content (for the seeded sample); the metadata for ``keep``.
    Writes: copies of records when upsampling, with ``metadata.copy_of`` (the original's id) and
    ``metadata.copy`` (1, 2...), ids suffixed ``#copyN``; per-class counts before and after, and
    the composition, in stats.json.
    Drops: ``downsampled``: the record's class was over its cap or its target share; the value is
    the class, the detail the cap.
    """

    id: ClassVar[str] = "balance"
    Params = BalanceParams
    params: BalanceParams
    code: ClassVar[str] = "downsampled"

    @property
    def drops_only(self) -> bool:
        return self.params.min_per_class is None

    def sign(self, records: list[Record]) -> BalanceSigned:
        p = self.params
        seed = str(p.seed).encode() + b"\x00"
        classes: list[str] = []
        ranks: list[tuple[Any, ...]] = []
        for record in records:
            label = field_label(field_value(record, p.field))
            classes.append(MISSING if label is None else label)
            if p.keep == "first":  # input order decides
                ranks.append(())
                continue
            key = record.id if record.id is not None else orjson.dumps(record.to_dict())
            tie = hashlib.blake2b(seed + (key.encode() if isinstance(key, str) else key)).digest()
            policy = () if p.keep == "random" else rank(record, p.keep)
            ranks.append((*policy, tie))
        return BalanceSigned(classes, ranks)

    def decide_shards(self, shards: Iterable[Signed]) -> Iterator[tuple[Position, Reject | Mark]]:
        signed = list(shards)
        blocks = [BalanceSigned(*s.signatures) for s in signed]
        positions = [s.position(i) for s in signed for i in range(len(s.wheres))]
        classes = [c for b in blocks for c in b.classes]
        ranks = [r for b in blocks for r in b.ranks]
        members: dict[str, list[int]] = defaultdict(list)
        for i, c in enumerate(classes):
            members[c].append(i)
        before = {c: len(m) for c, m in members.items()}
        wanted = self._plan(before)
        outcomes: dict[int, Reject | Mark] = {}
        after: Counter[str] = Counter()
        for c, index in members.items():
            index.sort(key=lambda i: (ranks[i], i))
            target = wanted[c]
            keep = index[: min(target, len(index))]
            for i in index[len(keep) :]:
                detail = f"class {c!r} kept {len(keep):,} of {len(index):,}"
                outcomes[i] = Reject(self.code, value=c, detail=detail)
            extra = max(0, target - len(index))
            for k, i in enumerate(keep):
                copies = extra // len(keep) + (1 if k < extra % len(keep) else 0) if keep else 0
                if copies:
                    outcomes[i] = Mark({}, copies=copies)
            after[c] = target if extra else len(keep)
        self._report(before, dict(after))
        for i in sorted(outcomes):
            yield positions[i], outcomes[i]

    def _plan(self, before: dict[str, int]) -> dict[str, int]:
        """How many records each class ends with."""
        p = self.params
        wanted = dict(before)
        if p.max_per_class is not None:
            wanted = {c: min(n, p.max_per_class) for c, n in wanted.items()}
        if p.targets and p.enforce:
            shares = _shares(p.targets)
            total = min((wanted.get(c, 0) / s for c, s in shares.items() if s > 0), default=0.0)
            for c, s in shares.items():
                if c in wanted:
                    wanted[c] = min(wanted[c], math.floor(s * total + 1e-9))
        if p.min_per_class is not None:
            for c, n in wanted.items():
                if n < p.min_per_class:
                    reach = min(p.min_per_class, before[c] * p.max_copies)
                    if reach < p.min_per_class:
                        self.warn(
                            f"class {c!r} has {before[c]:,} record(s): upsampled to {reach:,}, "
                            f"not {p.min_per_class:,} (max_copies {p.max_copies})"
                        )
                    wanted[c] = max(n, reach)
        return wanted

    def _report(self, before: dict[str, int], after: dict[str, int]) -> None:
        p = self.params
        report: dict[str, Any] = {
            "field": p.field,
            "before": dict(sorted(before.items())),
            "after": dict(sorted(after.items())),
        }
        for name, counts in (("before", before), ("after", after)):
            big, small = max(counts.values(), default=0), min(counts.values(), default=0)
            report[f"imbalance_{name}"] = round(big / small, 2) if small else None
        if p.targets:
            shares = _shares(p.targets)
            listed_before = sum(before.get(c, 0) for c in shares)
            listed_after = sum(after.get(c, 0) for c in shares)
            report["composition"] = {
                c: {
                    "target": round(s, 4),
                    "before": round(before.get(c, 0) / listed_before, 4) if listed_before else 0,
                    "after": round(after.get(c, 0) / listed_after, 4) if listed_after else 0,
                }
                for c, s in shares.items()
            }
            for c, row in report["composition"].items():
                if abs(row["after"] - row["target"]) > p.tolerance:
                    self.warn(
                        f"class {c!r} is {row['after']:.0%} of the listed classes, target "
                        f"{row['target']:.0%}"
                        + ("" if p.enforce else " (enforce: true downsamples to the targets)")
                    )
        for c, n in after.items():
            self.count(f"class:{c}", n)
        self.stats.report.update(report)


def _shares(targets: dict[str, float]) -> dict[str, float]:
    """The target shares normalized to sum to 1."""
    total = sum(targets.values())
    return {c: v / total for c, v in targets.items()}
