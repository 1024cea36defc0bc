import pytest

from ftprep.pii.scoring import score_spans
from ftprep.pii.spans import PiiSpan


def s(start: int, end: int, kind: str = "email") -> PiiSpan:
    return PiiSpan(start, end, kind, "", 1.0)


def test_strict_and_overlap_differ_on_partial_spans() -> None:
    gold = [[s(0, 10), s(20, 30, "phone")]]
    pred = [[s(0, 8), s(20, 30, "phone"), s(40, 45)]]
    strict = score_spans(pred, gold, "strict")
    overlap = score_spans(pred, gold, "overlap")
    assert (strict["email"].correct, strict["email"].found) == (0, 0)
    assert (overlap["email"].correct, overlap["email"].found) == (1, 1)
    assert overlap["email"].precision == pytest.approx(0.5)
    assert strict["phone"].f1 == 1.0


def test_type_must_match() -> None:
    scores = score_spans([[s(0, 10, "phone")]], [[s(0, 10, "us_ssn")]], "strict")
    assert scores["phone"].precision == 0.0
    assert scores["us_ssn"].recall == 0.0


def test_types_filter_and_empty_counts() -> None:
    scores = score_spans([[s(0, 1, "person")]], [[]], types=["email"])
    assert set(scores) == {"email"}
    assert scores["email"].precision == scores["email"].recall == 1.0


def test_unknown_match_rejected() -> None:
    with pytest.raises(ValueError, match="unknown match"):
        score_spans([], [], "fuzzy")
