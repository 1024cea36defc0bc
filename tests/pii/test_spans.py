from ftprep.pii.spans import PII_TYPES, PiiSpan, resolve_overlaps


def span(start: int, end: int, kind: str, score: float = 0.9) -> PiiSpan:
    return PiiSpan(start, end, kind, "x" * (end - start), score)


def test_priority_wins_over_length() -> None:
    creds = span(10, 20, "url_credentials")
    email = span(15, 40, "email")
    assert resolve_overlaps([email, creds]) == [creds]


def test_same_priority_longer_wins_and_result_sorted() -> None:
    short, long_, other = span(0, 5, "phone"), span(0, 9, "phone"), span(20, 25, "person")
    assert resolve_overlaps([other, short, long_]) == [long_, other]


def test_adjacent_spans_do_not_overlap() -> None:
    a, b = span(0, 5, "email"), span(5, 9, "email")
    assert resolve_overlaps([b, a]) == [a, b]
    assert not a.overlaps(b)
    assert len(a) == 5


def test_duplicates_collapse() -> None:
    a = span(3, 8, "person", 0.7)
    b = span(3, 8, "person", 0.8)
    assert resolve_overlaps([a, b]) == [b]


def test_types_are_lower_case_and_unique() -> None:
    assert len(set(PII_TYPES)) == len(PII_TYPES) == 11
    assert all(t == t.lower() for t in PII_TYPES)
