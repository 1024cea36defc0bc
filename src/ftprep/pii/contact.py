"""E-mail addresses and credentials embedded in URLs (``scheme://user:password@host``).

Both need an ``@``, so a text without one costs a single substring test. The regexes run
only in a window around each ``@``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ftprep.pii.spans import PiiSpan

_EMAIL = re.compile(
    r"(?<![\w.%+\-])[\w%+\-]+(?:\.[\w%+\-]+)*@(?:[^\W_](?:[\w\-]*[^\W_])?\.)+[^\W\d_]{2,24}(?![\w\-])"
)
_URL_CREDENTIALS = re.compile(
    r"(?i)\b[a-z][a-z0-9+.\-]{1,15}://([^\s/:@]*):([^\s/@]+)@[\w\-]+(?:\.[\w\-]+)*"
)
#: local parts that are protocol users, not people (``git@github.com:org/repo.git``)
_SERVICE_LOCAL_PARTS = frozenset({"git"})
#: local-part characters (``\w`` is ``str.isalnum()`` and ``_``), matched on a reversed window
_LOCAL_RUN = re.compile(r"[\w.%+\-]*")
_WINDOW_BEFORE = 100
_WINDOW_AFTER = 260


def _at_windows(text: str) -> Iterator[tuple[int, int]]:
    """Merged windows around every ``@``."""
    pos = text.find("@")
    start = end = -1
    while pos != -1:
        lo, hi = max(0, pos - _WINDOW_BEFORE), min(len(text), pos + _WINDOW_AFTER)
        if lo <= end:
            end = hi
        else:
            if end >= 0:
                yield start, end
            start, end = lo, hi
        pos = text.find("@", pos + 1)
    if end >= 0:
        yield start, end


def find_emails(text: str) -> list[PiiSpan]:
    """E-mail addresses: a dotted local part, ``@``, a domain with an alphabetic TLD.
    Unicode local parts and domains (RFC 6531) count; ``npm@1.2.3`` and ``@handle`` do not.
    The regex is matched once per ``@``, from the start of the local part before it (the run
    of local-part characters before the ``@``, measured on the reversed window)."""
    found = []
    at = text.find("@")
    end = 0
    while at != -1:
        lo = max(end, at - 64)
        run = _LOCAL_RUN.match(text[lo:at][::-1])  # always matches (maybe empty)
        start = at - (run.end() if run else 0)
        m = _EMAIL.match(text, start) if start < at else None
        # the match's local part is text[start:at]: every character between is a local one
        if m is not None and text[start:at].lower() not in _SERVICE_LOCAL_PARTS:
            found.append(PiiSpan(start, m.end(), "email", m.group(), 0.95))
            end = m.end()
        at = text.find("@", max(at + 1, end))
    return found


def find_url_credentials(text: str) -> Iterator[PiiSpan]:
    """The ``user:password`` part of URLs that carry credentials (the host stays readable)."""
    if "://" not in text:
        return
    for lo, hi in _at_windows(text):
        for m in _URL_CREDENTIALS.finditer(text, max(0, lo - 100), hi):
            start, end = m.start(1), m.end(2)
            yield PiiSpan(start, end, "url_credentials", text[start:end], 0.95)
