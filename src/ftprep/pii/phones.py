"""Phone numbers: number clusters validated with ``phonenumbers`` (Google's libphonenumber).

A candidate is accepted when

- it is a valid number for its ``+``/``00`` country code, or for one of ``regions`` (tried in
  order), and is written like a phone number (separators or a leading ``+``), or is written
  as bare digits right after a phone cue ("call", "mobile", "fax"...);
- or, only after or before a phone cue, it is merely *phone-shaped*: 7-15 digits in groups,
  not a date. Real data holds numbers no region validates (fictional area codes, short
  test numbers such as ``(96) 627-277``); they get a lower score (0.6).

Candidates right after an order/tracking/invoice cue are rejected unless a phone cue is near.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

import phonenumbers

from ftprep.pii.scan import TextScan, cue_near, last_cue_end, word_cues
from ftprep.pii.spans import PiiSpan

DEFAULT_REGIONS: tuple[str, ...] = ("US", "GB", "DE", "FR", "ES", "IT", "NL", "AU", "IN", "BR")

_PHONE_CUES = word_cues(
    "call", "phone", "tel", "mobile", "cell", "fax", "desk", "office", "whatsapp", "text me",
    "sms", "reach me", "reach us", "contact", "ring", "dial", "landline", "hotline", "tél",
    "portable", "handy", "número", "numero", "nummer", "móvil", "erreich", "anruf", "rückruf",
    "appel", "joindre", "llam", "contatt", "chiama",
    prefix=True,
)  # fmt: skip
_NEGATIVE_CUES = word_cues(
    "order", "orders", "tracking", "invoice", "ticket", "ref", "reference", "account", "acct",
    "case", "sku", "serial", "imei", "iban", "card", "confirmation", "booking", "model", "part",
    "po", "id", "isbn", "version", "build", "zip", "postcode", "parcel", "routing", "event",
    "timestamp", "epoch",
)  # fmt: skip
_EXTENSION = re.compile(r"\s?(?:x|ext\.?|extension|#)\s?[0-9]{1,6}(?![0-9])", re.IGNORECASE)
_DATE_SHAPE = re.compile(r"[0-9]{1,4}([./\-])[0-9]{1,2}\1[0-9]{1,4}")
_DECIMAL_TAIL = re.compile(r"[.,][0-9]")
_IPV4_SHAPE = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}")
_DROP_SEPARATORS = str.maketrans("", "", " .-()\u00a0")
_DROP_NON_DIGITS = str.maketrans("", "", " .-/()\u00a0+")
_MAX_GROUPS = 6


@functools.lru_cache(maxsize=65536)
def phone_validity(normalized: str, regions: tuple[str, ...]) -> tuple[bool, bool]:
    """(valid, possible) for a number written ``+digits`` or ``digits`` (national form)."""
    possible = False
    tries = (None,) if normalized.startswith("+") else regions
    for region in tries:
        try:
            number = phonenumbers.parse(normalized, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return True, True
        possible = possible or phonenumbers.is_possible_number(number)
    return False, possible


def phone_region(normalized: str, regions: tuple[str, ...]) -> str | None:
    """The region a number is valid in (the first of ``regions`` for a national number)."""
    tries = (None,) if normalized.startswith("+") else regions
    for region in tries:
        try:
            number = phonenumbers.parse(normalized, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return str(phonenumbers.region_code_for_number(number))
    return None


def valid_in_region(normalized: str, region: str) -> bool:
    try:
        number = phonenumbers.parse(normalized, region)
    except phonenumbers.NumberParseException:
        return False
    return bool(phonenumbers.is_valid_number_for_region(number, region))


def normalize_phone(raw: str) -> str:
    digits = "".join(c for c in raw if c.isdigit())
    if raw.startswith("+"):
        return "+" + digits
    if raw.startswith("00") and len(digits) > 9:
        return "+" + digits[2:]
    return digits


def find_phones(
    scan: TextScan, cs: int, ce: int, regions: tuple[str, ...] = DEFAULT_REGIONS
) -> Iterator[PiiSpan]:
    """Phone numbers in one number cluster (see the module docstring for the rules)."""
    runs = scan.runs(cs, ce)
    if len(runs) >= 4 and all(e - s == 4 for s, e in runs[:4]):
        return  # grouped like a card number (valid or not), never a phone
    i = 0
    while i < len(runs):
        found = None
        for j in range(min(len(runs), i + _MAX_GROUPS) - 1, i - 1, -1):
            found = _try_candidate(scan, runs, i, j, regions)
            if found is not None:
                break
        if found is None:
            i += 1
            continue
        yield found[0]
        i = found[1] + 1


def _try_candidate(
    scan: TextScan, runs: list[tuple[int, int]], i: int, j: int, regions: tuple[str, ...]
) -> tuple[PiiSpan, int] | None:
    """The phone made of digit runs ``i..j`` (with a leading ``+``/``(`` and a trailing
    extension), or None."""
    text = scan.text
    start, end = runs[i][0], runs[j][1]
    # a number is only cut out of a longer cluster at a space ("call 555-0100 2 times"),
    # never inside a dotted or dashed group sequence ("255.255.255.0")
    if i > 0 and (
        " " not in text[runs[i - 1][1] : start] or text[runs[0][0] - 1 : runs[0][0]] == "+"
    ):
        return None
    if j + 1 < len(runs) and " " not in text[end : runs[j + 1][0]]:
        return None
    if text[start - 1 : start] == "(" and (i == 0 or text[runs[i - 1][1] : start] != "("):
        start -= 1
    if text[start - 1 : start] == "+":
        start -= 1
    if text[end : end + 1] == ")":  # "(0) 30 ..." never ends a number; "...1234)" is a closing
        return None
    groups = [text[s:e] for s, e in runs[i : j + 1]]
    n_digits = sum(map(len, groups))
    if not 7 <= n_digits <= 15 or sum(len(g) == 1 for g in groups[1:]) > 1 or len(groups[-1]) < 2:
        return None  # no phone ends in a one-digit group ("call 555-0100 2 times")
    raw = text[start:end]
    if scan.glued_before(start) or _DATE_SHAPE.fullmatch(raw) or _IPV4_SHAPE.fullmatch(raw):
        return None
    ext = _EXTENSION.match(text, end)
    full_end = ext.end() if ext is not None else end
    if scan.glued_after(full_end) or _DECIMAL_TAIL.match(text, full_end):
        return None
    formatted = raw[0] == "+" or len(raw.translate(_DROP_SEPARATORS)) < len(raw)
    cued = _phone_cue_wins(scan, start, full_end)
    partial = i > 0 or j + 1 < len(runs)
    if cued is False or (not cued and (partial or not formatted or _coded(text, start))):
        return None
    if not formatted and n_digits > 12:  # IMEIs, long ids: unformatted phones are shorter
        return None
    # raw holds digits, the separators of a cluster and maybe a leading "+" or "(": its
    # digits are what is left without those (normalize_phone, faster)
    digits = raw.translate(_DROP_NON_DIGITS)
    if raw[0] == "+":
        normalized = "+" + digits
    elif raw.startswith("00") and len(digits) > 9:
        normalized = "+" + digits[2:]
    else:
        normalized = digits
    valid, possible = phone_validity(normalized, regions)
    if valid:
        score = 0.95 if cued else 0.85
    elif cued and (possible or formatted):
        score = 0.6
    else:
        return None
    return PiiSpan(start, full_end, "phone", text[start:full_end], score), j


def _coded(text: str, start: int) -> bool:
    """Whether the number at ``start`` ends a code glued to letters by a dash, a slash or an
    underscore (``INV-2024-41586``, ``CS/743236``): an identifier, unless a phone cue says
    otherwise."""
    return text[start - 1 : start] in ("-", "/", "_") and text[start - 2 : start - 1].isalpha()


def _phone_cue_wins(scan: TextScan, start: int, end: int) -> bool | None:
    """True when a phone cue is near; False when a negative cue (order, IMEI, tracking...)
    sits closer before the number than any phone cue; None when neither."""
    low = scan.low
    lo = max(start - 35, low.rfind("\n", 0, start) + 1, _sentence_start(low, start - 35, start))
    negative = last_cue_end(_NEGATIVE_CUES, low, start, min(25, start - lo))
    positive = last_cue_end(_PHONE_CUES, low, start, start - lo)
    if negative > positive:
        return False
    if positive >= 0:
        return True
    return True if cue_near(_PHONE_CUES, low, start, end, 0, 15) else None


def _sentence_start(low: str, lo: int, hi: int) -> int:
    """Start of the sentence holding ``hi`` (searching back to ``lo``)."""
    best = max(lo, 0)
    for mark in (". ", "! ", "? "):
        k = low.rfind(mark, best, hi)
        if k >= 0:
            best = max(best, k + 2)
    return best
