"""Check digits: Luhn (payment cards), ISO 13616 mod-97 (IBAN), and the SSA's SSN rules.

Used both to validate detected candidates and to build fake values that still validate.
"""

from __future__ import annotations

#: IBAN length per country (ISO 13616 registry).
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20,
    "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18,
    "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24,
    "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28, "TL": 23, "TN": 24,
    "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip


def luhn_valid(digits: str) -> bool:
    """True when the digit string passes the Luhn check (payment cards, IMEIs)."""
    if not digits.isdigit():
        return False
    return luhn_check_digit(digits[:-1]) == digits[-1]


def luhn_check_digit(payload: str) -> str:
    """The digit that makes ``payload + digit`` pass the Luhn check."""
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = ord(ch) - 48
        if i % 2 == 0:  # doubled: the check digit will sit to the right of this one
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def _iban_remainder(country: str, check: str, bban: str) -> int:
    rearranged = bban + country + check
    numeric = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(numeric) % 97


def iban_valid(iban: str) -> bool:
    """True for a compact IBAN (no spaces) of a known country, right length and mod-97 == 1."""
    iban = iban.upper()
    country = iban[:2]
    if IBAN_LENGTHS.get(country) != len(iban) or not iban.isalnum() or not iban.isascii():
        return False
    if not iban[2:4].isdigit():
        return False
    return _iban_remainder(country, iban[2:4], iban[4:]) == 1


def iban_check_digits(country: str, bban: str) -> str:
    """The two check digits for ``country`` + ``bban`` (ISO 13616)."""
    return f"{98 - _iban_remainder(country.upper(), '00', bban.upper()):02d}"


def ssn_valid(digits: str) -> bool:
    """True for nine digits the SSA could issue: area not 000, 666 or 9xx; group not 00;
    serial not 0000."""
    if len(digits) != 9 or not digits.isdigit():
        return False
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    if area in ("000", "666") or area[0] == "9":
        return False
    return group != "00" and serial != "0000"
