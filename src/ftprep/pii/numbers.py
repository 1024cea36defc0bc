"""Number-shaped PII found in the number clusters of a text: payment cards (Luhn + issuer
prefix + length), US SSNs, IBANs (mod-97) and IP addresses (validated with :mod:`ipaddress`).

Each detector looks only at the clusters that could hold its type (enough digits, the right
separators), so a text of prices and order numbers costs one cluster scan.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator

from ftprep.pii.checksums import IBAN_LENGTHS, iban_valid, luhn_valid, ssn_valid
from ftprep.pii.scan import TextScan, cue_near, word_cues
from ftprep.pii.spans import PiiSpan

_CARD_NEGATIVE = word_cues(
    "tracking", "order", "imei", "serial", "invoice", "ref", "reference", "ticket", "account",
    "acct", "iban", "isbn", "confirmation", "booking", "parcel", "shipment",
)  # fmt: skip
_SSN_CUES = word_cues("ssn", "ssns", "social security", "social-security", "ss#", "soc sec", "tin")
_VERSION_CUES = word_cues(
    "v", "ver", "version", "versions", "build", "release", "firmware", "fw", "update", "upgrade",
    "patch", "driver", "sdk", "os", "ios", "android", "windows", "kernel", "rev", "revision",
    "python", "node", "java", "chrome", "app", "software",
)  # fmt: skip
_NETMASK_OCTETS = frozenset({"0", "128", "192", "224", "240", "248", "252", "254", "255"})
_IPV4 = re.compile(
    r"(?<![0-9.])(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
    r"(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}(?![0-9]|\.[0-9])"
)
_IPV6 = re.compile(
    r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}"
    r"(?:(?:[0-9]{1,3}\.){3}[0-9]{1,3}|[0-9A-Fa-f]{1,4})?(?![\w:])"
)
_IBAN = re.compile(r"[A-Za-z]{2}[0-9]{2}(?: ?[A-Za-z0-9]){11,34}")


def _cue_in_sentence(scan: TextScan, cues: re.Pattern[str], start: int, before: int) -> bool:
    """A cue in the ``before`` characters before ``start``, within the same line and sentence."""
    low = scan.low
    dot = low.rfind(". ", 0, start)
    sentence = max(low.rfind("\n", 0, start) + 1, dot + 2 if dot >= 0 else 0)
    return cue_near(cues, low, start, start, min(before, start - sentence), 0)


def _card_brand_ok(number: str) -> bool:
    """Issuer prefix and length of a known card network."""
    n, p2, p4 = len(number), int(number[:2]), int(number[:4])
    if number[0] == "4":
        return n in (13, 16, 19)  # Visa
    if 51 <= p2 <= 55 or 2221 <= p4 <= 2720:
        return n == 16  # Mastercard
    if p2 in (34, 37):
        return n == 15  # American Express
    if number.startswith(("6011", "65")) or 644 <= int(number[:3]) <= 649 or p2 == 62:
        return 16 <= n <= 19  # Discover, UnionPay
    if 3528 <= p4 <= 3589:
        return 16 <= n <= 19  # JCB
    if p2 in (36, 38, 39) or 300 <= int(number[:3]) <= 305:
        return 14 <= n <= 19  # Diners Club
    if number.startswith(("5018", "5020", "5038", "5893", "6304", "6759", "6761", "6762", "6763")):
        return 12 <= n <= 19  # Maestro
    return False


def find_cards(scan: TextScan, cs: int, ce: int) -> Iterator[PiiSpan]:
    """Payment card numbers in one cluster: 12-19 digits, compact or in groups of four (or
    4-6-5 / 4-6-4 for Amex and Diners) joined by one consistent space or dash, a known issuer
    prefix and length, and a valid Luhn check digit."""
    text = scan.text
    runs = scan.runs(cs, ce)
    i = 0
    while i < len(runs):
        best = _longest_card(text, runs, i)
        if best is None:
            i += 1
            continue
        start, end = runs[i][0], runs[best][1]
        plain = best == i
        glued = scan.glued_before(start) or scan.glued_after(end) or text[start - 1 : start] == "+"
        # a grouped card is the whole group sequence, not four groups cut out of a tracking code
        sep = text[runs[i][1] : runs[i + 1][0]] if not plain else ""
        inside = bool(sep) and (
            (i > 0 and text[runs[i - 1][1] : start] == sep)
            or (best + 1 < len(runs) and text[end : runs[best + 1][0]] == sep
                and runs[best + 1][1] - runs[best + 1][0] == 4)
        )  # fmt: skip
        negative = inside or (plain and _cue_in_sentence(scan, _CARD_NEGATIVE, start, 25))
        if not glued and not negative:
            yield PiiSpan(start, end, "credit_card", text[start:end], 0.9 if plain else 1.0)
        i = best + 1


def _longest_card(text: str, runs: list[tuple[int, int]], i: int) -> int | None:
    """Index of the last run of the longest valid card number starting at run ``i``."""
    groups = [text[s:e] for s, e in runs[i : i + 5]]
    best = None
    sep: str | None = None
    digits = ""
    for k, group in enumerate(groups):
        if k:
            gap = text[runs[i + k - 1][1] : runs[i + k][0]]
            if gap not in (" ", "-") or (sep is not None and gap != sep):
                break
            if len(groups[0]) != 4 or (k >= 2 and len(groups[k - 1]) not in (4, 6)):
                break
            sep = gap
        digits += group
        if len(digits) > 19:
            break
        if len(digits) >= 12 and _card_brand_ok(digits) and luhn_valid(digits):
            best = i + k
    return best


def find_ssns(scan: TextScan, cs: int, ce: int) -> Iterator[PiiSpan]:
    """US SSNs: ``123-45-6789`` anywhere, ``123 45 6789`` and ``123456789`` only after an SSN
    cue; the area, group and serial must be ones the SSA issues."""
    text = scan.text
    runs = scan.runs(cs, ce)
    for i, (s, e) in enumerate(runs):
        if e - s == 9:
            start, end, sep = s, e, ""
        elif e - s == 3 and i + 2 < len(runs):
            (s2, e2), (s3, e3) = runs[i + 1], runs[i + 2]
            sep = text[e:s2]
            if e2 - s2 != 2 or e3 - s3 != 4 or sep not in ("-", " ") or text[e2:s3] != sep:
                continue
            start, end = s, e3
        else:
            continue
        if scan.glued_before(start) or scan.glued_after(end):
            continue
        # the SSN must not be part of a longer group sequence with the same separator
        if sep and (
            (text[start - 1 : start] == sep and text[start - 2 : start - 1].isdigit())
            or (text[end : end + 1] == sep and text[end + 1 : end + 2].isdigit())
        ):
            continue
        value = text[start:end]
        if not ssn_valid(value.replace(sep, "") if sep else value):
            continue
        cued = cue_near(_SSN_CUES, scan.low, start, end, 40, 0)
        if sep == "-" or cued:
            yield PiiSpan(start, end, "us_ssn", value, 0.95 if cued else 0.75)


def find_ipv4(scan: TextScan, cs: int, ce: int) -> Iterator[PiiSpan]:
    """IPv4 addresses, except loopback, unspecified, broadcast, multicast and netmasks, and
    dotted quads after a version cue (``firmware 2.1.0.15``)."""
    text = scan.text
    for m in _IPV4.finditer(text, cs, ce):
        start, end = m.span()
        if scan.glued_before(start) or scan.glued_after(end):
            continue
        value = m.group()
        octets = value.split(".")
        if octets[0] == "255" or all(o in _NETMASK_OCTETS for o in octets):
            continue
        addr = ipaddress.IPv4Address(value)
        if addr.is_loopback or addr.is_unspecified or addr.is_multicast or addr.is_reserved:
            continue
        if _cue_in_sentence(scan, _VERSION_CUES, start, 20):
            continue
        yield PiiSpan(start, end, "ip_address", value, 0.7 if addr.is_private else 0.9)


def find_ipv6(scan: TextScan, start: int, end: int) -> Iterator[PiiSpan]:
    """IPv6 addresses in ``text[start:end]``, validated with :mod:`ipaddress`; loopback and
    unspecified addresses are skipped."""
    for m in _IPV6.finditer(scan.text, start, end):
        value = m.group()
        if value.count(":") < 2 or (value.endswith(":") and not value.endswith("::")):
            continue
        try:
            addr = ipaddress.IPv6Address(value)
        except ValueError:
            continue
        if addr.is_loopback or addr.is_unspecified:
            continue
        yield PiiSpan(m.start(), m.end(), "ip_address", value, 0.9)


def find_iban(scan: TextScan, pos: int) -> PiiSpan | None:
    """An IBAN starting at ``pos`` (two letters then the two check digits): compact or in
    groups of four, the country's exact length, and mod-97 == 1."""
    text = scan.text
    m = _IBAN.match(text, pos)
    if m is None or scan.glued_before(pos):
        return None
    country = text[pos : pos + 2].upper()
    length = IBAN_LENGTHS.get(country)
    if length is None:
        return None
    chars: list[str] = []
    end = pos
    for k in range(pos, m.end()):
        if text[k] != " ":
            chars.append(text[k])
            if len(chars) == length:
                end = k + 1
                break
    if len(chars) < length or scan.glued_after(end) or not iban_valid("".join(chars)):
        return None
    return PiiSpan(pos, end, "iban", text[pos:end], 1.0)
