import pytest

from ftprep.pii import Anonymizer, PiiDetector, PiiSpan

pytest.importorskip("phonenumbers")  # the pii extra

TEXT = "Mail jane.doe@example.com or call +1 415 555 0123, card 4532-2766-4457-7020."


@pytest.fixture(scope="module")
def spans(detector: PiiDetector) -> list[PiiSpan]:
    return detector.detect(TEXT)


def test_redact(spans: list[PiiSpan]) -> None:
    out = Anonymizer("redact").apply(TEXT, spans)
    assert out == "Mail [EMAIL] or call [PHONE], card [CREDIT_CARD]."


def test_mask_keeps_separators_and_length(spans: list[PiiSpan]) -> None:
    out = Anonymizer("mask").apply(TEXT, spans)
    assert out == "Mail ****.***@*******.*** or call +* *** *** ****, card ****-****-****-****."
    assert len(out) == len(TEXT)


def test_hash_is_keyed_stable_and_normalized(spans: list[PiiSpan]) -> None:
    a = Anonymizer("hash", salt=b"pepper")
    out = a.apply(TEXT, spans)
    assert out.startswith("Mail [EMAIL:") and "[PHONE:" in out
    assert out == Anonymizer("hash", salt=b"pepper").apply(TEXT, spans)
    assert out != Anonymizer("hash", salt=b"salt").apply(TEXT, spans)
    # the same number written differently hashes the same
    same = [
        PiiSpan(0, 15, "phone", "+1 415 555 0123", 1),
        PiiSpan(0, 15, "phone", "+1-415-555-0123", 1),
    ]
    assert a.replacement(same[0]) == a.replacement(same[1])
    tag = a.replacement(same[0])
    assert len(tag) == len("[PHONE:]") + 10


def test_hash_needs_a_salt_that_repr_never_shows() -> None:
    with pytest.raises(ValueError, match="salt"):
        Anonymizer("hash")
    assert "pepper" not in repr(Anonymizer("hash", salt=b"pepper"))


def test_bad_arguments(spans: list[PiiSpan]) -> None:
    with pytest.raises(ValueError, match="mode"):
        Anonymizer("shred")
    with pytest.raises(ValueError, match="scope"):
        Anonymizer("pseudonymize", scope="world")
    with pytest.raises(ValueError, match="overlaps"):
        Anonymizer().apply(TEXT, list(reversed(spans)))
    with pytest.raises(ValueError, match="does not match"):
        Anonymizer().apply("other text entirely, longer than the spans are" * 2, spans)


def test_no_spans_is_identity() -> None:
    assert Anonymizer("mask").apply("nothing here", []) == "nothing here"
