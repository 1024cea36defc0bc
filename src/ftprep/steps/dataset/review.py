"""``review.ratings``: the ratings, flags and notes of human reviewers, brought back."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import Field

from ftprep.record import Record
from ftprep.steps.base import FilterStep, Reject, StepParams


class ReviewParams(StepParams):
    reviews: list[str] = Field(
        min_length=1,
        description="Exports of the review page (JSON or CSV), relative to the recipe.",
    )
    min_rating: float | None = Field(
        None, ge=1, le=5, description="Drop reviewed records whose mean rating is lower."
    )
    drop_flagged: bool = Field(True, description="Drop records a reviewer flagged.")
    only_reviewed: bool = Field(False, description="Drop the records nobody reviewed.")

    def resolve_paths(self, base: Path) -> ReviewParams:
        resolved = [p if Path(p).is_absolute() else str(base / p) for p in self.reviews]
        return self.model_copy(update={"reviews": resolved})


class ReviewRatings(FilterStep):
    """Bring the review page's ratings back: each reviewed record gets ``metadata.review``
    (ratings by reviewer, their mean, flags, notes), and records rated too low or flagged are
    dropped. Records are matched by id, or by a hash of their content when they have none (as
    the page named them). Several reviewers' exports can be given together; their agreement is
    printed by ``ftprep review import``.

    Reads: the records' ids (or content), the review exports.
    Writes: ``metadata.review``; counts ``reviewed``, ``unreviewed``.
    Drops: ``flagged`` (with ``drop_flagged``), ``low_review_rating`` (under ``min_rating``;
    the mean as the value), ``unreviewed`` (with ``only_reviewed``).
    """

    id: ClassVar[str] = "review.ratings"
    Params = ReviewParams
    params: ReviewParams

    def setup(self) -> None:
        from ftprep.report.review import load_reviews

        self._reviews = load_reviews(self.params.reviews)

    def keep(self, record: Record) -> bool | Reject:
        from ftprep.report.review import review_key

        p = self.params
        found = self._reviews.by_key.get(review_key(record))
        if not found:
            self.count("unreviewed")
            return Reject("unreviewed", detail="no reviewer rated it") if p.only_reviewed else True
        self.count("reviewed")
        ratings = {who: r["rating"] for who, r in found.items() if r["rating"] is not None}
        mean = round(sum(ratings.values()) / len(ratings), 3) if ratings else None
        flags = [who for who, r in found.items() if r["flag"]]
        notes = {who: r["notes"] for who, r in found.items() if r["notes"]}
        record.metadata["review"] = {
            "ratings": ratings,
            "mean": mean,
            "flagged_by": flags,
            "notes": notes,
        }
        if flags and p.drop_flagged:
            detail = "; ".join(f"{who}: {notes.get(who, '')}" for who in flags)
            return Reject("flagged", value=flags, detail=f"flagged by {detail}")
        if p.min_rating is not None and mean is not None and mean < p.min_rating:
            return Reject("low_review_rating", value=mean, detail=f"{mean} < {p.min_rating}")
        return True
