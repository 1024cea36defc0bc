"""Dates of birth: a date near a birth cue ("born", "DOB", "date of birth", "birthday",
"geboren", "né le"...). Plain dates (order dates, timestamps) are never flagged.

:func:`parse_date` and :func:`reformat_date` serve the pseudonymizer too, which writes a
different date in the original's layout.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from ftprep.pii.scan import TextScan
from ftprep.pii.spans import PiiSpan

MONTHS: dict[str, int] = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
    "januar": 1, "februar": 2, "märz": 3, "mai": 5, "juni": 6, "juli": 7, "oktober": 10,
    "dezember": 12, "janvier": 1, "février": 2, "mars": 3, "avril": 4, "juin": 6,
    "juillet": 7, "août": 8, "septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12,
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7,
    "agosto": 8, "septiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
}  # fmt: skip
_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
_DATE = re.compile(
    r"(?<![\w./\-])(?:"
    r"(?P<a>[0-9]{1,4})(?P<sep>[./\-])(?P<b>[0-9]{1,2})(?P=sep)(?P<c>[0-9]{2,4})"
    rf"|(?P<d1>[0-9]{{1,2}})(?:st|nd|rd|th|er|\.)?\s(?:of\s|de\s)?(?P<m1>{_MONTH_ALT})\.?,?\s(?:de\s)?(?P<y1>[0-9]{{4}})"
    rf"|(?P<m2>{_MONTH_ALT})\.?\s(?P<d2>[0-9]{{1,2}})(?:st|nd|rd|th)?,?\s(?P<y2>[0-9]{{4}})"
    r")(?![\w/\-]|\.[0-9])",
    re.IGNORECASE,
)
_WHOLE_WORD_CUES = frozenset({"dob", "born", "d.o.b"})
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)|\n")
_WINDOW_BEFORE = 30
_WINDOW_AFTER = 90


_MONTH_STYLES: tuple[tuple[str, ...], ...] = (
    ("january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"),
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
    ("januar", "februar", "märz", "april", "mai", "juni", "juli", "august", "september",
     "oktober", "november", "dezember"),
    ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
     "octobre", "novembre", "décembre"),
    ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
     "octubre", "noviembre", "diciembre"),
)  # fmt: skip


def parse_date(value: str, today: date | None = None) -> date | None:
    """The date a value :data:`_DATE` matches, or None when impossible. Numeric dates are
    read year-first for four-digit first parts, else month-first when possible (US), else
    day-first."""
    m = _DATE.fullmatch(value)
    if m is None:
        return None
    this_year = (today or date.today()).year
    if m.group("a") is not None:
        a, b, c = m.group("a"), m.group("b"), m.group("c")
        if len(a) == 4:
            orders = [(int(a), int(b), int(c))]
        else:
            year = int(c) if len(c) == 4 else _century(int(c), this_year)
            orders = [(year, int(a), int(b)), (year, int(b), int(a))]
        for y, mo, d in orders:
            try:
                return date(y, mo, d)
            except ValueError:
                continue
        return None
    day_group = "d1" if m.group("d1") is not None else "d2"
    month_text = m.group("m1") or m.group("m2")
    try:
        return date(
            int(m.group("y1") or m.group("y2")), MONTHS[month_text.lower()], int(m.group(day_group))
        )
    except ValueError:
        return None


def reformat_date(value: str, new: date) -> str | None:
    """``value`` rewritten to show ``new`` in the same layout: same order, separators, zero
    padding, year width and month-name language and case. None when ``value`` is no date."""
    m = _DATE.fullmatch(value)
    old = parse_date(value)
    if m is None or old is None:
        return None
    parts: dict[str, str] = {}
    if m.group("a") is not None:
        a, b = m.group("a"), m.group("b")
        if len(a) == 4:
            roles = {"a": "y", "b": "m", "c": "d"}
        elif old.month == int(a) and old.day == int(b):
            roles = {"a": "m", "b": "d", "c": "y"}
        else:
            roles = {"a": "d", "b": "m", "c": "y"}
        values = {"y": new.year, "m": new.month, "d": new.day}
        for group, role in roles.items():
            width = len(m.group(group))
            if role == "y":
                parts[group] = f"{new.year % 100:02d}" if width == 2 else str(new.year)
            else:
                parts[group] = f"{values[role]:0{width}d}"
    else:
        day_group, month_group, year_group = (
            ("d1", "m1", "y1") if m.group("d1") else ("d2", "m2", "y2")
        )
        padded = m.group(day_group).startswith("0")
        parts[day_group] = f"{new.day:02d}" if padded else str(new.day)
        parts[month_group] = _month_like(m.group(month_group), new.month)
        parts[year_group] = str(new.year)
    out, last = [], 0
    for group, text in sorted(parts.items(), key=lambda kv: m.start(kv[0])):
        out.append(value[last : m.start(group)])
        out.append(text)
        last = m.end(group)
    out.append(value[last:])
    return "".join(out)


def _month_like(original: str, month: int) -> str:
    low = original.lower()
    style = next((s for s in _MONTH_STYLES if low in s), _MONTH_STYLES[0])
    name = style[month - 1]
    if original.isupper():
        return name.upper()
    return name.capitalize() if original[:1].isupper() else name


def _century(yy: int, this_year: int) -> int:
    return 2000 + yy if 2000 + yy <= this_year else 1900 + yy


def find_dates_of_birth(scan: TextScan) -> Iterator[PiiSpan]:
    """Per birth cue, the nearest date in the same sentence: the first one up to 90
    characters after it, else the last one up to 30 before it ("12/27/1986 is my date of
    birth"); it must parse as a real date in the past."""
    low, text = scan.low, scan.text
    today = date.today()
    seen: set[int] = set()
    for pos, end in _cue_positions(scan):
        after = [
            m
            for m in _DATE.finditer(text, end, min(len(text), end + _WINDOW_AFTER))
            if not _SENTENCE_END.search(low, end, m.start())
        ][:1]
        before = [
            m
            for m in _DATE.finditer(text, max(0, pos - _WINDOW_BEFORE), pos)
            if not _SENTENCE_END.search(low, m.end(), pos)
        ][-1:]
        for m in after or before:
            parsed = parse_date(m.group(), today)
            if m.start() in seen or parsed is None or parsed >= today:
                continue
            seen.add(m.start())
            yield PiiSpan(m.start(), m.end(), "date_of_birth", m.group(), 0.85)


def _cue_positions(scan: TextScan) -> Iterator[tuple[int, int]]:
    """(start, end) of every birth cue that starts a word ("dob" and "born" also end one)."""
    low = scan.low
    for pos, end in scan.cues.get("birth", ()):
        starts_word = pos == 0 or not low[pos - 1].isalpha()
        ends_word = (
            low[pos:end] not in _WHOLE_WORD_CUES or end == len(low) or not low[end].isalpha()
        )
        if starts_word and ends_word:
            yield pos, end
