"""filter.metadata: keep records whose metadata satisfies an expression."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from ftprep.record import Record
from ftprep.steps.filter.metadata import MetadataFilter, MetadataParams

EXPR = 'rating >= 4 and status == "resolved" and created_at >= "2024-01-01"'


def support(**metadata: object) -> Record:
    return Record.from_dict(
        {
            "id": "t-100",
            "messages": [
                {"role": "user", "content": "My parcel never arrived."},
                {"role": "assistant", "content": "I've sent a replacement, arriving Friday."},
            ],
            "metadata": metadata,
        }
    )


def test_keeps_matching_records() -> None:
    step = MetadataFilter(expr=EXPR)
    good = support(rating=5, status="resolved", created_at="2024-02-10T08:30:00Z")
    assert step.check(good) is None
    assert good.metadata == {
        "rating": 5,
        "status": "resolved",
        "created_at": "2024-02-10T08:30:00Z",
    }


def test_drops_with_the_values_read() -> None:
    step = MetadataFilter(expr=EXPR)
    old = support(rating=5, status="resolved", created_at="2023-12-31T23:59:59+00:00", lang="en")
    reject = step.check(old)
    assert reject is not None and reject.code == "metadata_mismatch"
    assert reject.value == {
        "rating": 5,
        "status": "resolved",
        "created_at": "2023-12-31T23:59:59+00:00",
    }
    assert reject.detail == f"false: {EXPR}"
    missing = step.check(support(rating=4, status="resolved"))
    assert missing is not None and missing.value["created_at"] is None
    assert step.take_stats().counts == {"missing_field:created_at": 1}


def test_nested_fields_and_functions() -> None:
    step = MetadataFilter(expr='lower(user.tier) in ["gold", "platinum"] and len(tags) > 0')
    assert step.check(support(user={"tier": "Gold"}, tags=["vip"])) is None
    reject = step.check(support(user={"tier": "Gold"}, tags=[]))
    assert reject is not None and reject.value == {"user.tier": "Gold", "tags": []}
    assert step.check(support(user="gold", tags=["x"])) is not None


def test_record_id() -> None:
    assert MetadataFilter(expr='id == "t-100"').check(support()) is None
    assert MetadataFilter(expr='id != "t-100"').check(support()) is not None


def test_syntax_errors_fail_at_validation_with_the_column() -> None:
    with pytest.raises(ValidationError) as caught:
        MetadataParams.model_validate({"expr": "rating >= 4 an status"})
    error = caught.value.errors()[0]
    assert error["loc"] == ("expr",)
    assert "'rating >= 4 an status'" in error["msg"] and "column 13" in error["msg"]
    with pytest.raises(ValidationError, match="arithmetic is not allowed"):
        MetadataFilter(expr="rating * 2 > 4")
    with pytest.raises(ValidationError, match="Field required"):
        MetadataFilter()
    with pytest.raises(ValidationError, match="Extra inputs"):
        MetadataFilter(expr="rating > 1", exp="rating > 2")


def test_on_generated_support_chats() -> None:
    from ftprep.demo import iter_clean_chats

    rows = list(iter_clean_chats(400, seed=11))
    step = MetadataFilter(
        expr='rating >= 4 and category in ["billing", "shipping"] and created_at < "2024-07-01"'
    )
    kept = [row for row in rows if step.check(Record.from_dict(row)) is None]
    expected = [
        row
        for row in rows
        if row["metadata"]["rating"] >= 4
        and row["metadata"]["category"] in ("billing", "shipping")
        and row["metadata"]["created_at"] < "2024-07-01"
    ]
    assert kept == expected and 0 < len(kept) < len(rows)
