"""Street addresses, rule-based (entity type ``street_address``).

Two shapes, both anchored at a house number found among the number clusters:

- US/UK: ``742 Evergreen Terrace``, ``221B Baker Street, London NW1 6XE``,
  ``1600 Example Avenue NW, Suite 200, Springfield, IL 62704``: number, one to four
  capitalized words, a street suffix, then optionally a unit, a city, a state + ZIP or a
  UK postcode. After an address cue ("live at", "ship to", "address") lower-case street
  names count too (``12 market street``);
- continental: ``Nassaustraat 123``, ``Ziegelgasse 26``, ``Hauptstraße 5a``: a word ending in a
  street suffix, then the number.
"""

from __future__ import annotations

import re

from ftprep.pii.scan import TextScan, word_cues
from ftprep.pii.spans import PiiSpan

UPPER = "A-ZÀ-ÖØ-ÞĀĂĄĆĈĊČĎĐĒĔĖĘĚĜĞĠĢĤĦĨĪĬĮİĲĴĶĹĻĽĿŁŃŅŇŊŌŎŐŒŔŖŘŚŜŞŠŢŤŦŨŪŬŮŰŲŴŶŸŹŻŽ"
SUFFIXES = (
    "Street|St|Avenue|Ave|Av|Road|Rd|Lane|Ln|Drive|Dr|Court|Ct|Boulevard|Blvd|Way|Place|Pl|"
    "Terrace|Terr|Close|Crescent|Cres|Square|Sq|Parkway|Pkwy|Highway|Hwy|Circle|Cir|Trail|Trl|"
    "Row|Gardens|Grove|Walk|Mews|Alley|Plaza|Pike|Loop|Run|Crossing|Green|Hill|Park"
)
_NUMBER = r"[0-9]{1,6}[A-Za-z]?(?:-[0-9]{1,4})?"
_DIRECTION = r"(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West)\.?"
_CAP_WORD = rf"(?:[{UPPER}][\w'’\-]*\.?|[0-9]{{1,3}}(?:st|nd|rd|th))"
_LOW_WORD = r"(?:[^\W\d_][\w'’\-]*\.?|[0-9]{1,3}(?:st|nd|rd|th))"
_UNIT = (
    r"(?:,?\s(?:Apt|Apartment|Suite|Ste|Unit|Flat|Fl|Floor|Room|Rm|#)\.?\s?#?[0-9A-Za-z\-]{1,6})"
)
_CITY_WORD = rf"[{UPPER}][^\W\d_]+(?:['’\-][^\W\d_]+)*(?!\w)"
_POSTAL = r"(?:[A-Z]{2}\s[0-9]{5}(?:-[0-9]{4})?|[A-Z]{1,2}[0-9][A-Z0-9]?\s?[0-9][A-Z]{2}|[0-9]{5})"
#: ", City" and optionally ", ST 12345" / " NW1 6XE"; a city of several words only when a
#: state or postcode follows (else "Springfield Thanks" would pass for a city)
_TAIL = (
    rf"(?:,[ \t]?{_CITY_WORD}(?:(?:[ \t]{_CITY_WORD}){{1,2}}(?=,?[ \t]{_POSTAL}))?"
    rf"(?:,?[ \t]{_POSTAL}(?![\w-]))?)?"
)
_US_UK = re.compile(
    rf"{_NUMBER}\s(?:{_DIRECTION}\s)?(?:{_CAP_WORD}\s){{1,4}}?(?i:{SUFFIXES})(?![\w'’-])\.?"
    rf"(?:\s{_DIRECTION}(?![\w'’-]))?{_UNIT}?{_TAIL}"
)
_US_UK_LOWER = re.compile(
    rf"{_NUMBER}\s(?:{_LOW_WORD}\s){{1,4}}?(?i:{SUFFIXES})(?![\w'’-])\.?{_UNIT}?"
    rf"(?:,\s?[^\W\d_][\w'’\-]+(?:\s[^\W\d_][\w'’\-]+){{0,2}})?"
)
CONTINENTAL_ENDINGS = (
    "straße", "strasse", "str.", "gasse", "weg", "platz", "allee", "damm", "ring", "ufer",
    "laan", "straat", "gracht", "plein", "dreef", "kade", "steeg", "vej", "gatan", "gata",
    "veien", "vägen", "katu", "tie", "utca", "ulica", "ulice",
)  # fmt: skip
_CONTINENTAL_NUMBER = re.compile(
    rf"[0-9]{{1,4}}[a-zA-Z]?(?![\w-])(?:,?[ \t](?:[A-Z]{{1,2}}-)?[0-9]{{4,5}}(?:[ \t]?[A-Z]{{2}})?"
    rf"[ \t](?:(?:Den|Bad|San|Santa|Sankt|St\.?|La|Le|Les|Los|Las|El|New)[ \t])?{_CITY_WORD})?"
)
_ADDRESS_CUES = word_cues(
    "address", "addresses", "live at", "lives at", "living at", "ship to", "shipped to",
    "deliver to", "delivered to", "send it to", "sent to", "moved to", "return to", "located at",
    "billing", "shipping", "mailing", "residence", "reside at", "resides at",
)  # fmt: skip


#: the last three characters of the endings (a quick test before _continental; every ending
#: has three characters or more, and so do the look-behinds of ftprep.pii.candidates)
_CONTINENTAL_TAILS = frozenset(ending[-3:] for ending in CONTINENTAL_ENDINGS)
assert min(map(len, CONTINENTAL_ENDINGS)) >= 3
_LOWER_SUFFIX = re.compile(rf" (?:{SUFFIXES.lower()})\b")
_ADDRESS_CUE_STEMS = ("addres", "live", "ship", "deliver", "sent to", "send it", "moved",
                      "return to", "locat", "billing", "mailing", "resid")  # fmt: skip


def find_street_address(scan: TextScan, cs: int, ce: int) -> PiiSpan | None:
    """An address whose house number is the last digit run of the cluster at ``cs:ce``."""
    text = scan.text
    nxt, after = text[ce : ce + 1], text[ce + 1 : ce + 2]
    if nxt == " " or nxt == "\u00a0" or (nxt.isalpha() and after == " "):
        following = text[ce + 2 : ce + 3] if after == " " else after
        if following.isupper() or following.isdigit():
            start = _last_run_start(text, cs, ce)
            m = _US_UK.match(text, start)
            if m is not None and not scan.glued_before(start):
                return _span(text, start, m.end(), 0.85)
        elif (
            following.islower()
            and _address_cue_anywhere(scan)
            and _LOWER_SUFFIX.search(scan.low, ce, ce + 48)
        ):
            start = _last_run_start(text, cs, ce)
            m = _US_UK_LOWER.match(text, start)
            if m is not None and not scan.glued_before(start) and _has_address_cue(scan, start):
                return _span(text, start, m.end(), 0.7)
    # the word before must end like a continental street name (cheap test on its last three
    # characters first: "in 15 minutes" is the common case)
    if cs >= 4 and text[cs - 1] == " " and text[cs - 4 : cs - 1].lower() in _CONTINENTAL_TAILS:
        before = text[cs - 2 : cs - 1]
        if before.islower() or before == ".":
            return _continental(scan, cs)
    return None


def _span(text: str, start: int, end: int, score: float) -> PiiSpan:
    """The address span; a final "." that ends the sentence ("... Lane.") is not part of it."""
    if text[end - 1] == "." and (end == len(text) or text[end].isspace()):
        end -= 1
    return PiiSpan(start, end, "street_address", text[start:end], score)


def _last_run_start(text: str, cs: int, ce: int) -> int:
    k = ce
    while k > cs and text[k - 1].isdigit():
        k -= 1
    return k


def _address_cue_anywhere(scan: TextScan) -> bool:
    """Some address cue stem occurs in the text (substring tests, computed once per text)."""
    anywhere = scan.flags.get("address_cue")
    if anywhere is None:
        low = scan.low
        anywhere = scan.flags["address_cue"] = any(w in low for w in _ADDRESS_CUE_STEMS)
    return anywhere


def _has_address_cue(scan: TextScan, start: int) -> bool:
    """An address cue in the 60 characters before ``start``."""
    return _ADDRESS_CUES.search(scan.low, max(0, start - 60), start) is not None


def _continental(scan: TextScan, cs: int) -> PiiSpan | None:
    """``Hauptstraße 5``: the word before the number ends in a street suffix."""
    text = scan.text
    if cs < 4 or text[cs - 1] != " ":
        return None
    word_start = text.rfind(" ", 0, cs - 1) + 1
    word = text[word_start : cs - 1]
    if not word or not word[0].isupper() or not word.lower().endswith(CONTINENTAL_ENDINGS):
        return None
    m = _CONTINENTAL_NUMBER.match(text, cs)
    if m is None:
        return None
    return PiiSpan(word_start, m.end(), "street_address", text[word_start : m.end()], 0.8)
