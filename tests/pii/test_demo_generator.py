"""The planted-PII generator of :mod:`ftprep.demo.pii` (tested here, beside the detector it
feeds)."""

import itertools
import random
from collections import Counter

import pytest

from ftprep.demo.pii import GoldSpan, generate_pii_texts, make_card, make_iban, plant_pii
from ftprep.pii import PII_TYPES
from ftprep.pii.checksums import iban_valid, luhn_valid


def test_gold_spans_point_at_their_text() -> None:
    samples = generate_pii_texts(500, seed=1)
    assert len(samples) == 500
    for text, spans in samples:
        for span in spans:
            assert text[span.start : span.end] == span.text
        assert all(a.end <= b.start for a, b in itertools.pairwise(spans))


def test_every_type_is_planted_and_most_texts_mix() -> None:
    samples = generate_pii_texts(2000, seed=2)
    counts = Counter(s.type for _, spans in samples for s in spans)
    assert set(counts) == set(PII_TYPES)
    assert min(counts.values()) >= 50
    without = sum(1 for _, spans in samples if not spans)
    assert 0.35 < without / len(samples) < 0.65


def test_deterministic() -> None:
    assert generate_pii_texts(50, seed=9) == generate_pii_texts(50, seed=9)
    assert generate_pii_texts(50, seed=9) != generate_pii_texts(50, seed=10)


def test_checksummed_values_validate() -> None:
    rng = random.Random(0)
    for _ in range(200):
        assert luhn_valid(make_card(rng).replace(" ", "").replace("-", ""))
        assert iban_valid(make_iban(rng).replace(" ", ""))


def test_planted_phones_are_valid_numbers() -> None:
    phonenumbers = pytest.importorskip("phonenumbers")
    from ftprep.demo.pii import make_phone

    rng = random.Random(3)
    regions = ("US", "GB", "DE", "FR")
    for _ in range(300):
        raw = make_phone(rng).split(" ext.")[0]
        ok = any(
            phonenumbers.is_valid_number(phonenumbers.parse(raw, None if raw[0] == "+" else r))
            for r in regions
        )
        assert ok, raw


def test_plant_pii_appends_one_labelled_value() -> None:
    rng = random.Random(4)
    text, spans = plant_pii("The hub keeps blinking.", rng, kinds=("email",))
    assert text.startswith("The hub keeps blinking. ")
    assert "email" in {s.type for s in spans}
    assert all(isinstance(s, GoldSpan) and text[s.start : s.end] == s.text for s in spans)
    assert plant_pii("", rng, kinds=("ssn",))[1][0].type == "us_ssn"
    with pytest.raises(ValueError, match="no template"):
        plant_pii("x", rng, kinds=("fax",))
