"""A review project as a recipe input: ``inputs: [{review: {db: review.sqlite}}]`` reads the
accepted items (edits applied), and accounts for every other item as a reject with its outcome
(rejected by the annotators, a disagreement not yet adjudicated, not fully answered)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import BinaryIO

import orjson
from pydantic import BaseModel, ConfigDict, Field

from ftprep.collect.accounting import CollectStats, reject_line


class ReviewSourceSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    db: str = Field(description="The review app's SQLite file, relative to the recipe.")
    threshold: float = Field(
        0.8, ge=0, le=1, description="Agreement on accept/reject that accepts without a reviewer."
    )


def collect_review(db: Path, threshold: float, out: BinaryIO, rejects: BinaryIO) -> CollectStats:
    """Write the accepted items to ``out`` and every other item to ``rejects``."""
    from ftprep.reviewapp.results import accepted_record, item_outcomes
    from ftprep.reviewapp.store import Store

    started = time.perf_counter()
    store = Store(db)
    stats = CollectStats(str(db))
    edits = store.latest_edits()
    items = {i["id"]: i for i in store.items()}
    codes = {
        "reject": "rejected_by_reviewers",
        "disagreement": "disagreement",
        "pending": "pending",
    }
    for line, outcome in enumerate(item_outcomes(store, threshold), 1):
        stats.rows += 1
        original = items[outcome["id"]]["record"]
        if outcome["outcome"] == "accept":
            record = accepted_record(original, outcome, edits.get(outcome["id"], []))
            out.write(orjson.dumps({"record": record, "file": str(db), "line": line}) + b"\n")
            stats.records += 1
            stats.rows_in_records += 1
            continue
        code = codes[outcome["outcome"]]
        stats.rejected[code] += 1
        detail = f"item {outcome['key']}: {outcome['outcome']}"
        rejects.write(
            reject_line(
                "collect.review", code, outcome["decisions"], detail, str(db), line, original
            )
        )
    stats.seconds = time.perf_counter() - started
    stats.check()
    return stats
