from ftprep.pii.checksums import (
    IBAN_LENGTHS,
    iban_check_digits,
    iban_valid,
    luhn_check_digit,
    luhn_valid,
    ssn_valid,
)


def test_luhn_known_numbers() -> None:
    assert luhn_valid("4532276644577020")  # presidio-research sample card
    assert luhn_valid("378282246310005")  # Amex test number
    assert not luhn_valid("4532276644577021")
    assert not luhn_valid("4532 2766 4457 7020")  # digits only
    assert not luhn_valid("")


def test_luhn_check_digit_completes_any_payload() -> None:
    for payload in ("453227664457702", "37828224631000", "0", "7992739871"):
        assert luhn_valid(payload + luhn_check_digit(payload))
    assert luhn_check_digit("7992739871") == "3"


def test_iban_valid_examples() -> None:
    assert iban_valid("DE89370400440532013000")
    assert iban_valid("GB82WEST12345698765432")
    assert iban_valid("gb82west12345698765432")  # case-insensitive
    assert not iban_valid("DE89370400440532013001")  # checksum
    assert not iban_valid("DE8937040044053201300")  # length for DE is 22
    assert not iban_valid("XX89370400440532013000")  # unknown country


def test_iban_check_digits_roundtrip() -> None:
    for country, length in (("FR", 27), ("NL", 18), ("NO", 15)):
        bban = "1" * (length - 4)
        assert iban_valid(country + iban_check_digits(country, bban) + bban)
    assert iban_check_digits("DE", "370400440532013000") == "89"
    assert IBAN_LENGTHS["GB"] == 22


def test_ssn_rules() -> None:
    assert ssn_valid("531217351")
    assert not ssn_valid("000217351")
    assert not ssn_valid("666217351")
    assert not ssn_valid("931217351")
    assert not ssn_valid("531007351")
    assert not ssn_valid("531210000")
    assert not ssn_valid("53121735")
