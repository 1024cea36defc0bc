import itertools
import time

import pytest

from ftprep.pii import PII_TYPES, PiiDetector

from .conftest import found

pytest.importorskip("phonenumbers")  # the pii extra

MIXED = (
    "Hi, I'm Jane Doe. Mail jane.doe@example.com or call +1 415 555 0123; card "
    "4532 2766 4457 7020, SSN 531-21-7351, IBAN DE89 3704 0044 0532 0130 00, from 58.74.121.78. "
    "I was born on 12/27/1986 and live at 742 Evergreen Terrace, Springfield, IL 62704."
)


def test_every_type_in_one_text(detector: PiiDetector) -> None:
    spans = detector.detect(MIXED)
    assert {s.type for s in spans} == set(PII_TYPES) - {"secret", "url_credentials"}
    assert all(MIXED[s.start : s.end] == s.text for s in spans)
    assert all(a.end <= b.start for a, b in itertools.pairwise(spans))


def test_empty_and_plain_text(detector: PiiDetector) -> None:
    assert detector.detect("") == []
    assert not detector.contains_any("")
    plain = (
        "Thanks for your patience, the update fixed it. Order A87876 ships in 3-5 days for $29.99."
    )
    assert detector.detect(plain) == []
    assert not detector.contains_any(plain)
    assert detector.contains_any(MIXED)


def test_unicode_text_offsets(detector: PiiDetector) -> None:
    text = "Grüße 👋 — schreib an müller.jörg@example.de oder ruf +49 30 12345678 an. İstanbul ✓"
    spans = detector.detect(text)
    assert [(s.type, s.text) for s in spans] == [
        ("email", "müller.jörg@example.de"),
        ("phone", "+49 30 12345678"),
    ]
    assert all(text[s.start : s.end] == s.text for s in spans)


def test_long_text_is_fast_and_complete(detector: PiiDetector) -> None:
    filler = "The quick brown fox jumps over the lazy dog while we wait for order A12345. "
    text = filler * 340 + "Reach me at jane.doe@example.com. " + filler * 5
    assert len(text) > 26_000
    start = time.perf_counter()
    spans = detector.detect(text)
    elapsed = time.perf_counter() - start
    assert [(s.type, s.text) for s in spans] == [("email", "jane.doe@example.com")]
    assert elapsed < 0.5


def test_types_filter() -> None:
    det = PiiDetector(types=["email"])
    assert [s.type for s in det.detect(MIXED)] == ["email"]
    # a card number is still recognized as a card (and so never reported as a phone)
    assert PiiDetector(types=["phone"]).detect("card 4532 2766 4457 7020") == []


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="unknown PII type"):
        PiiDetector(types=["emial"])
    with pytest.raises(ValueError, match="unknown ner backend"):
        PiiDetector(ner="spacy")


def test_detect_many_matches_detect(detector: PiiDetector) -> None:
    turns = [
        "Hi, my name is Jane Doe",
        "",
        "call me at (212) 555-0123",
        "Thanks, Jane! I'll write to jane.doe@example.com",
        "DOB?",
        "1986-12-27",
    ]
    assert detector.detect_many(turns) == [detector.detect(t) for t in turns]
    assert detector.detect_many([]) == []


def test_min_score_filters() -> None:
    assert PiiDetector(min_score=0.99).detect(MIXED) == [
        s for s in PiiDetector().detect(MIXED) if s.score >= 0.99
    ]


def test_found_helper(detector: PiiDetector) -> None:
    assert found(detector, "mail a@b.io") == [("email", "a@b.io")]
