import pytest

from ftprep.pii import PiiDetector

from .conftest import found

pytest.importorskip("phonenumbers")  # the pii extra


@pytest.mark.parametrize(
    "value",
    [
        "742 Evergreen Terrace",
        "742 Evergreen Terrace, Springfield, IL 62704",
        "221B Baker Street, London NW1 6XE",
        "1600 Example Ave, Apt 4B",
        "1755 Nelson Mandela Drive",
        "12 N. Main St, Salt Lake City, UT 84101",
        "Hauptstraße 5, 10115 Berlin",
        "Nassaustraat 123, 2514 JW Den Haag",
    ],
)
def test_addresses(detector: PiiDetector, value: str) -> None:
    assert found(detector, f"Please ship it to {value}. Thanks") == [("street_address", value)]


def test_lower_case_needs_an_address_cue(detector: PiiDetector) -> None:
    assert found(detector, "i live at 12 market street now") == [
        ("street_address", "12 market street")
    ]
    assert found(detector, "we sold 12 market street maps") == []


@pytest.mark.parametrize(
    "text",
    [
        "ships in 2 business days",
        "I bought 3 Acme Smart Plugs",
        "Give it 5 Stars",
        "Chapter 12 covers it",
        "order 12345 Thanks",
    ],
)
def test_address_near_misses(detector: PiiDetector, text: str) -> None:
    assert not [t for t, _ in found(detector, text) if t == "street_address"]
