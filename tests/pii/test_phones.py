import pytest

from ftprep.pii import PiiDetector

from .conftest import found

pytest.importorskip("phonenumbers")  # the pii extra


@pytest.mark.parametrize(
    "value",
    [
        "(212) 555-0123",
        "+1 415 555 0123",
        "+44 20 7946 0958",
        "+49 30 12345678",
        "+33 6 12 34 56 78",
        "986.291.2294",
        "+1 (212) 555-0199 x12",
        "+81 90-1234-5678",
    ],
)
def test_valid_numbers_need_no_cue(detector: PiiDetector, value: str) -> None:
    assert found(detector, f"It is {value} I think") == [("phone", value)]


@pytest.mark.parametrize(
    "text, value",
    [
        # not valid for any region: accepted only because of the phone cue
        ("Please have the manager call me at (96) 627-277 I'd like", "(96) 627-277"),
        ("Mobile: 041-412-293", "041-412-293"),
        ("Fax: 001-420-335-7509x38548", "001-420-335-7509x38548"),
        ("69 987 88 37 office", "69 987 88 37"),
        ("call me at 555-0100 ext", "555-0100"),
        ("call 555-0100 2 times", "555-0100"),
        ("my phone number is INV-2024-41586", "2024-41586"),  # a cue wins over a code's shape
        ("my cell is 5551234567", "5551234567"),
    ],
)
def test_cued_phone_shaped_numbers(detector: PiiDetector, text: str, value: str) -> None:
    assert ("phone", value) in found(detector, text)


def test_context_only_phones_score_lower(detector: PiiDetector) -> None:
    (span,) = detector.detect("Fax: 001-420-335-7509x38548")
    assert span.score == pytest.approx(0.6)
    strict = PiiDetector(types=["phone"], min_score=0.7)
    assert strict.detect("Fax: 001-420-335-7509x38548") == []


@pytest.mark.parametrize(
    "text",
    [
        "order 4812345678 shipped",  # bare digits, valid US shape, order cue
        "Order ID 3044170513 was placed",
        "placed on 2024-03-15 at 14:30",
        "delivered 03/15/2024",
        "tracking number 123456789012",
        "timestamp 1710513000 in the log",
        "netmask 255.255.255.0",
        "price 1 299.99 EUR",
        "The IMEI of the phone is 351927394186068.",
        "I typed 4033 7725 9403 3589 but the form says the card is invalid",
        "Part number 212-555-0123 fits",
        "items 1 2 3 4 5 6 7 8",
        # codes glued to letters by a dash or a slash, with no phone cue: identifiers
        "重新下载的发票 INV-2024-41586 就会显示",
        "https://acme.example.com/invoices/INV-2024-29889.pdf",
        "ticket CS/2024-555-0101 is open",
    ],
)
def test_phone_near_misses(detector: PiiDetector, text: str) -> None:
    assert not [t for t, _ in found(detector, text) if t == "phone"]


def test_regions_are_configurable() -> None:
    text = "Sie erreichen mich: 030 12345678"
    assert found(PiiDetector(types=["phone"], phone_regions=("DE",)), text)
    assert not found(PiiDetector(types=["phone"], phone_regions=("US",)), "see 030 12345678 ok")
