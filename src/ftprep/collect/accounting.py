"""A collection's accounting: what it read and made (:class:`CollectStats`), the lines of its
rejects, and the watermark an incremental collection stores."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson

from ftprep.collect.timestamps import iso


@dataclass
class CollectStats:
    """What a collection read and made."""

    source: str
    rows: int = 0
    records: int = 0
    rows_in_records: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    #: rows at or before the watermark: collected by an earlier run
    collected_before: int = 0
    #: the newest row time read (the next watermark)
    newest: float | None = None
    spilled_runs: int = 0
    seconds: float = 0.0
    #: what a collector adds (an annotation export's agreement)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "rows": self.rows,
            "records": self.records,
            "rows_in_records": self.rows_in_records,
            "rejected": sum(self.rejected.values()),
            "reasons": dict(sorted(self.rejected.items())),
            "collected_before": self.collected_before,
            "newest": iso(self.newest) if self.newest is not None else None,
            "newest_epoch": self.newest,
            "spilled_runs": self.spilled_runs,
            "seconds": round(self.seconds, 3),
            **self.extra,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CollectStats:
        return cls(
            data["source"],
            rows=data["rows"],
            records=data["records"],
            rows_in_records=data["rows_in_records"],
            rejected=Counter(data["reasons"]),
            collected_before=data["collected_before"],
            newest=data["newest_epoch"],
            spilled_runs=data["spilled_runs"],
            seconds=data["seconds"],
            extra={k: v for k, v in data.items() if k not in _STATS_KEYS},
        )

    def check(self) -> None:
        """Every row is somewhere: in a record, rejected, or collected before."""
        accounted = self.rows_in_records + sum(self.rejected.values()) + self.collected_before
        if accounted != self.rows:
            raise AssertionError(
                f"collect accounting: {self.rows} rows read but {accounted} accounted for"
            )


_STATS_KEYS = frozenset(
    ("source", "rows", "records", "rows_in_records", "rejected", "reasons", "collected_before",
     "newest", "newest_epoch", "spilled_runs", "seconds")
)  # fmt: skip


def reject_line(
    step: str, code: str, value: Any, detail: str, file: str, line: int, record: Any
) -> bytes:
    """One line of a run's rejects file for a row a collector turned down (the engine's shape:
    step, code, value, detail, file, line, and the row)."""
    entry = {
        "step": step,
        "code": code,
        "value": value,
        "detail": detail,
        "file": file,
        "line": line,
        "record": record,
    }
    return orjson.dumps(entry, default=jsonable) + b"\n"


def jsonable(value: Any) -> Any:
    """What orjson cannot write itself, as databases return it: decimals as numbers, the rest
    (bytes, intervals...) as text."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)


def read_watermark(path: Path) -> float | None:
    """The newest row time a previous collection stored at ``path`` (None: collect all)."""
    if not path.exists():
        return None
    data = orjson.loads(path.read_bytes())
    newest = data.get("newest_epoch")
    return float(newest) if newest is not None else None


def watermark_state(stats: CollectStats, previous: float | None) -> dict[str, Any]:
    """What to store after a successful collection: the newest time seen (or the old mark)."""
    newest = stats.newest if stats.newest is not None else previous
    if previous is not None and newest is not None:
        newest = max(newest, previous)
    return {
        "source": stats.source,
        "newest_epoch": newest,
        "newest": iso(newest) if newest is not None else None,
        "updated": iso(time.time()),
    }
