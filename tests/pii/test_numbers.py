import pytest

from ftprep.pii import PiiDetector

from .conftest import found

pytest.importorskip("phonenumbers")  # the pii extra


@pytest.mark.parametrize(
    "text, value",
    [
        ("card 4532 2766 4457 7020 exp 12/25", "4532 2766 4457 7020"),
        ("card 4532-2766-4457-7020.", "4532-2766-4457-7020"),
        ("my card # 5213591727586604 for certain", "5213591727586604"),
        ("amex 3782 822463 10005 please", "3782 822463 10005"),
    ],
)
def test_cards_found(detector: PiiDetector, text: str, value: str) -> None:
    assert ("credit_card", value) in found(detector, text)


@pytest.mark.parametrize(
    "text",
    [
        "card 4532 2766 4457 7021 was rejected",  # fails Luhn
        "tracking 9400 1000 0000 0000 0000 00",  # USPS, no issuer prefix
        "IMEI 356938035643809",  # Luhn-valid IMEI: 15 digits with a JCB-like prefix
        "ISBN 9780306406157",
        "order 4111111111111111 placed",  # Luhn-valid test number after an order cue
        "ID12345678903555",  # glued to letters
        "Tracking number: 9400 2537 2892 7953 1419 82",  # Luhn-valid groups inside a code
    ],
)
def test_card_near_misses(detector: PiiDetector, text: str) -> None:
    assert not [t for t, _ in found(detector, text) if t == "credit_card"]


def test_cues_of_the_previous_sentence_do_not_count(detector: PiiDetector) -> None:
    text = "Sorry about order #209205.\nThe card 5529 8169 2080 4663 was declined"
    assert found(detector, text) == [("credit_card", "5529 8169 2080 4663")]
    text = "It stopped after the update.\nmy IP is 87.27.254.178 if that helps"
    assert found(detector, text) == [("ip_address", "87.27.254.178")]


def test_card_inside_phone_number_is_not_a_card(detector: PiiDetector) -> None:
    assert found(detector, "Mobile: +49 151 72508439") == [("phone", "+49 151 72508439")]


@pytest.mark.parametrize(
    "text, value",
    [
        ("His social security number is 531-21-7351", "531-21-7351"),
        ("SSN: 531 21 7351", "531 21 7351"),
        ("ssn 531217351 on file", "531217351"),
        ("reference 403-57-9558", "403-57-9558"),  # dashed form needs no cue
    ],
)
def test_ssns(detector: PiiDetector, text: str, value: str) -> None:
    assert ("us_ssn", value) in found(detector, text)


@pytest.mark.parametrize(
    "text", ["call 531 21 7351", "number 531217351", "SSN 666-21-7351", "1-800-21-7351-1"]
)
def test_ssn_near_misses(detector: PiiDetector, text: str) -> None:
    assert not [t for t, _ in found(detector, text) if t == "us_ssn"]


@pytest.mark.parametrize(
    "value",
    ["DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432", "GB82 WEST 1234 5698 7654 32"],
)
def test_ibans(detector: PiiDetector, value: str) -> None:
    assert found(detector, f"Please refund to {value}, thanks") == [("iban", value)]


def test_iban_with_bad_checksum_is_ignored(detector: PiiDetector) -> None:
    assert not found(detector, "IBAN DE89 3704 0044 0532 0130 01")


@pytest.mark.parametrize(
    "text, value",
    [
        ("keep getting address 58.74.121.78 blocked", "58.74.121.78"),
        ("client_ip = ?%//!%20\\|98.85.59.159|%20/", "98.85.59.159"),
        ("router at 192.168.1.20 drops", "192.168.1.20"),
        ("from 2001:db8::1 and", "2001:db8::1"),
        ("host fe80::1ff:fe23:4567:890a down", "fe80::1ff:fe23:4567:890a"),
    ],
)
def test_ips(detector: PiiDetector, text: str, value: str) -> None:
    assert ("ip_address", value) in found(detector, text)


@pytest.mark.parametrize(
    "text",
    [
        "update to version 1.2.3.4 first",
        "firmware 2.1.0.15 fixed it",
        "I'm on Windows build 10.0.19041.1",
        "netmask 255.255.255.0",
        "open http://127.0.0.1:8080",
        "listen on 0.0.0.0",
        "meet at 10:30:45 tomorrow",
        "MAC 00:1A:2B:3C:4D:5E",
        "use std::vector here",
        "v1.2.3.4",
        "1.2.3.4.5",
    ],
)
def test_ip_near_misses(detector: PiiDetector, text: str) -> None:
    assert not [t for t, _ in found(detector, text) if t == "ip_address"]


def test_plain_dotted_quad_is_an_ip(detector: PiiDetector) -> None:
    # decided: without a version cue, a valid dotted quad is an address
    assert found(detector, "ping 1.2.3.4 now") == [("ip_address", "1.2.3.4")]
