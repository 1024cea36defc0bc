"""What a run hands its workers: the pipeline (inputs, segments of steps, outputs, the work folder),
the task of one shard, and what a shard run counts per step.

A *segment* is the run of per-record steps between two global steps (see
:mod:`ftprep.engine.worker`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ftprep.engine.shards import LineRange
from ftprep.formats import Format
from ftprep.io import RawRow
from ftprep.reading import Source
from ftprep.record import Record
from ftprep.steps import GlobalStep, LLMStep, Mark, Reject, Step


@dataclass
class Segment:
    steps: list[tuple[str, Step]]
    #: the global step whose decisions this segment applies first
    after: tuple[str, GlobalStep] | None = None
    #: the global step whose signatures this segment computes last
    gate: tuple[str, GlobalStep] | None = None


@dataclass
class OutputTarget:
    path: Path
    format: Format
    container: str
    #: only records whose ``metadata.split`` is this
    split: str | None = None

    def takes(self, record: Record) -> bool:
        return self.split is None or record.metadata.get("split") == self.split


@dataclass
class Pipeline:
    """Everything a worker needs, built once per process."""

    sources: list[Source]
    segments: list[Segment]
    outputs: list[OutputTarget]
    work: Path
    on_error: str = "reject"
    #: input name -> sha256, filled in the parent as it cuts JSON Lines inputs into shards
    input_hashes: dict[str, str] = field(default_factory=dict)

    @classmethod
    def split(cls, steps: list[tuple[str, Step]]) -> list[Segment]:
        segments = [Segment([])]
        for name, step in steps:
            if isinstance(step, GlobalStep):
                segments[-1].gate = (name, step)
                segments.append(Segment([], after=(name, step)))
            else:
                segments[-1].steps.append((name, step))
        return segments

    @property
    def tail_render(self) -> bool:
        """True when the segment before the last global step renders the outputs.

        That is so when the last global step's decision only drops records
        (:attr:`GlobalStep.drops_only`) and nothing but per-record steps that cost no LLM calls
        and make no new records (:attr:`Step.expands`) follows it: those then *run ahead* on
        every record in the same pass (see :meth:`ShardRun._run_ahead`), so records are never
        written out and read back. The last segment only applies the decision, counts, and
        joins.
        """
        if len(self.segments) < 2:
            return False
        last = self.segments[-1]
        assert last.after is not None
        return last.after[1].drops_only and not any(
            isinstance(step, LLMStep) or step.expands for _, step in last.steps
        )

    def shard_file(self, segment: int, shard: int, suffix: str) -> Path:
        return self.work / f"s{segment:02d}" / f"{shard:06d}.{suffix}"


@dataclass
class StepCount:
    seen: int = 0
    kept: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    counts: Counter[str] = field(default_factory=Counter)
    #: copies the step made (upsampling): in + added = kept + rejected
    added: int = 0
    #: what the step warned about (each message once)
    warnings: list[str] = field(default_factory=list)

    def note(self, warnings: list[str]) -> None:
        self.warnings += [w for w in warnings if w not in self.warnings]

    def to_dict(self) -> dict[str, Any]:
        out = {
            "in": self.seen,
            "added": self.added,
            "kept": self.kept,
            "rejected": dict(sorted(self.rejected.items())),
            "seconds": round(self.seconds, 4),
            "counts": dict(sorted(self.counts.items())),
        }
        if self.warnings:
            out["warnings"] = self.warnings
        return out


@dataclass
class ShardTask:
    segment: int
    shard: int
    #: raw rows of input ``source`` (segment 0 only)
    rows: LineRange | list[RawRow] | None = None
    source: int = 0
    #: index in the shard -> why the previous global step drops it, or how it marks it
    drops: dict[int, Reject | Mark] | None = None
