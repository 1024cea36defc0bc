"""Checks of one message's text: length, repetition, hedging, refusals, placeholders, mojibake.

Cheap substring tests guard every regular expression, so clean text pays a few ``in`` scans.
"""

from __future__ import annotations

import re
import string
import zlib
from collections.abc import Sequence
from typing import Any

from ftprep.validate.findings import Collector

#: a reply shorter than this (in characters, stripped) is "very short"
SHORT_CHARS = 1
#: a message longer than this (in characters) is "very long"
LONG_CHARS = 20_000
#: texts at least this long are tested for repetition by their zlib compression ratio
REPETITION_MIN_CHARS = 2_000
REPETITION_RATIO = 0.1

_HEDGE_GUARDS = (
    "an AI",
    "an ai",
    "n AI ",
    "language model",
    "artificial intelligence",
    "AI assistant",
)
_HEDGE = re.compile(
    r"\b(as an? (ai|artificial intelligence)( language model| model| assistant)?"
    r"|as a (large )?language model"
    r"|i am (just |only )?an? (ai|artificial intelligence)( language model| assistant)?"
    r"|i'm (just |only )?an? (ai|artificial intelligence)( language model| assistant)?)\b",
    re.IGNORECASE,
)
_AI = re.compile("AI")
_REFUSAL = re.compile(
    r"^\W*(?:(?:i'?m|i am) (?:very |so |truly )?sorry|sorry|i apologi[sz]e|unfortunately)?[,.!]?\s*"
    r"(?:but\s+)?(?:i(?:'m| am)? afraid\s+)?(?:i\s*(?:can(?:no|')t|cannot|am unable to|'m unable to|won'?t|"
    r"will not|am not able to|'m not able to|must decline)|that'?s not something i can)"
    r"(?:\s+\w+){0,2}?\s+(?:help|assist|provide|do|comply|answer|fulfil+|support|share|give|create|"
    r"write|generate|discuss|engage|complete|process|make|offer|access)\b",
    re.IGNORECASE,
)
_REDIRECT = re.compile(
    r"\b(but i can(?!'|’|not)|however|instead|here'?s|here is|you (can|could|might)|i can help|i'd be happy to|try)\b",
    re.IGNORECASE,
)
#: a refusal that goes on this long is taken to help after all
REFUSAL_MAX_CHARS = 400
_PLACEHOLDER = re.compile(
    r"\{\{\s*[\w.\- ]{1,40}\s*\}\}|\{%.*?%\}|\[insert [^\]]{1,40}\]", re.IGNORECASE
)
_MOJIBAKE = re.compile(
    "[ÃÂ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u203a\u20ac\u2122]|â€|ï»¿|\ufffd"
)


#: every code :func:`check_texts` reports (the content checks; tests keep the list true)
TEXT_CODES: frozenset[str] = frozenset(
    {
        "short_message",
        "long_message",
        "refusal",
        "ai_hedging",
        "template_placeholder",
        "mojibake",
        "repetitive_content",
        "duplicate_user_turn",
    }
)


def check_texts(texts: list[tuple[int | None, Any, str]], out: Collector) -> None:
    """Check the texts of one example, given as (message index, role, text).

    The cheap guards run once over the joined text of the example; only a hit looks at the
    messages one by one, so a clean example costs a handful of scans whatever its length.
    """
    blob = "\x00".join(t for _, _, t in texts)
    replies = [(i, t) for i, r, t in texts if r == "assistant"]
    for i, text in replies:
        n = len(text)
        if n <= SHORT_CHARS and len(text.strip()) <= SHORT_CHARS:
            out.add("short_message", i, "content", f"{len(text.strip())} characters")
        if (
            n <= REFUSAL_MAX_CHARS
            and text[:1] not in _NO_REFUSAL_START
            and _may_refuse(text)
            and not _REDIRECT.search(text)
        ):
            out.add("refusal", i, "content", f"refuses: {text[:80]!r}")
    if replies and _hedge_guard("\x00".join(t for _, t in replies)):
        for i, text in replies:
            if match := _HEDGE.search(text):
                out.add("ai_hedging", i, "content", f"says {match.group(0)!r}")
    if len(blob) > REPETITION_MIN_CHARS and any(_size_problem(t) for _, _, t in texts):
        for i, _, text in texts:
            _check_size(text, i, out)
    if _placeholder_guard(blob) and _find_placeholder(blob):
        for i, _, text in texts:
            if match := _find_placeholder(text):
                out.add("template_placeholder", i, "content", f"contains {match.group(0)!r}")
    if not blob.isascii() and _mojibake_guard(blob):
        for i, _, text in texts:
            if _mojibake_guard(text) and (match := _MOJIBAKE.search(text)):
                out.add("mojibake", i, "content", f"contains {match.group(0)!r}")
    users = [t for _, r, t in texts if r == "user"]
    if len(users) > 1 and len(set(users)) < len(users):
        seen: set[str] = set()
        for i, role, text in texts:
            if role == "user":
                if text in seen:
                    out.add("duplicate_user_turn", i, "content")
                seen.add(text)


def texts_are_clean(
    texts: list[str], blob: str, replies: Sequence[str], users: Sequence[str]
) -> bool:
    """Whether :func:`check_texts` would certainly report nothing for these texts.

    ``texts`` are all the example's texts (none empty or blank), ``blob`` is
    ``"\\x00".join(texts)``, ``replies`` the assistant texts and ``users`` the user texts. Each
    test is true whenever the check it stands for could report something (a regular expression
    that finds something in one text finds something in the joined texts), so False only means
    "run the checks".
    """
    if replies:
        for text in replies:
            n = len(text)
            if n <= SHORT_CHARS:
                return False
            if n <= REFUSAL_MAX_CHARS and text[:1] not in _NO_REFUSAL_START and _may_refuse(text):
                return False
        said = "\x00".join(replies)  # _hedge_guard, written out
        if (
            _AI.search(said) is not None
            or "language model" in said
            or " ai " in said
            or "rtificial" in said
        ) and any(map(_HEDGE.search, replies)):
            return False
    if len(blob) > REPETITION_MIN_CHARS and any(map(_size_problem, texts)):
        return False
    # _placeholder_guard, written out: a call costs more than the tests
    if ("{" in blob or ("[" in blob and ("[insert" in blob or "[Insert" in blob))) and (
        _find_placeholder(blob)
    ):
        return False
    if not blob.isascii() and _mojibake_guard(blob) and _MOJIBAKE.search(blob):
        return False
    return len(users) < 2 or len(set(users)) == len(users)


#: the characters that can start a refusal that starts with a word character: ``_REFUSAL`` is
#: ``^\W*`` and then optional words beginning with i, s (sorry), u (unfortunately), b (but) or
#: t (that's), case-insensitively, which in Unicode also takes in the dotted and dotless I and the
#: long s (tests/validate check this set against the regular expression engine itself)
REFUSAL_START = frozenset("iIsSuUbBtT\u0130\u0131\u017f")
#: ASCII word characters outside :data:`REFUSAL_START`: a text starting with one is no refusal
_NO_REFUSAL_START = frozenset(string.ascii_letters + string.digits + "_") - REFUSAL_START


def _cases(word: str) -> tuple[int, frozenset[str]]:
    """The length of ``word`` and ``word`` in every mix of upper and lower case."""
    forms = {""}
    for char in word:
        forms = {f + c for f in forms for c in {char.lower(), char.upper()}}
    return len(word), frozenset(forms)


#: what follows the first character of a refusal that starts with s (sorry), u (unfortunately),
#: b (but) or t (that's); no other word starts with those letters there, and no character but
#: the two cases matches these letters case-insensitively (tests/validate check both)
_REFUSAL_NEXT: dict[str, tuple[int, frozenset[str]]] = {
    **dict.fromkeys("sS\u017f", _cases("orr")),
    **dict.fromkeys("uU", _cases("nfo")),
    **dict.fromkeys("bB", _cases("ut")),
    **dict.fromkeys("tT", _cases("hat")),
}


def _may_refuse(text: str) -> bool:
    """``_REFUSAL.match(text)``, skipping the match when the first characters rule it out."""
    first = text[:1]
    if first not in REFUSAL_START:
        if first.isalnum() or first == "_":  # a word character (\w): no refusal starts so
            return False
    else:
        after = _REFUSAL_NEXT.get(first)
        if after is not None and text[1 : 1 + after[0]] not in after[1]:
            return False
    return _REFUSAL.match(text) is not None


def _find_placeholder(text: str) -> re.Match[str] | None:
    """``_PLACEHOLDER.search(text)``, trying only where a match can start: at a ``{`` or ``[``.

    The regular expression engine steps through every character of a long text; ``find``
    jumps from one candidate to the next, and the leftmost match is the one ``search`` returns.
    """
    found = None
    i = text.find("{")
    while i >= 0:
        found = _PLACEHOLDER.match(text, i)
        if found is not None:
            break
        i = text.find("{", i + 1)
    end = len(text) if found is None else found.start()
    i = text.find("[", 0, end)
    while i >= 0:
        match = _PLACEHOLDER.match(text, i)
        if match is not None:
            return match
        i = text.find("[", i + 1, end)
    return found


def _mojibake_guard(text: str) -> bool:
    """True when ``text`` has a character that every ``_MOJIBAKE`` match starts with."""
    return (
        "\u00c3" in text
        or "\u00c2" in text
        or "\u00e2" in text
        or "\u00ef" in text
        or "\ufffd" in text
    )


def _placeholder_guard(blob: str) -> bool:
    """True when ``blob`` has a ``{`` or ``[insert``/``[Insert`` (the ``[`` test is a fast one)."""
    return "{" in blob or ("[" in blob and ("[insert" in blob or "[Insert" in blob))


def check_text(text: str, role: Any, i: int | None, out: Collector) -> None:
    """Check a single text (a plain-text record when ``role`` is None)."""
    check_texts([(i, role, text)], out)


def _hedge_guard(text: str) -> bool:
    """True when ``text`` has one of the words that every hedge reported has."""
    return (
        _AI.search(text) is not None  # for two letters, faster than ``"AI" in text``
        or "language model" in text
        or " ai " in text
        or "rtificial" in text
    )


def _check_size(text: str, i: int | None, out: Collector) -> None:
    n = len(text)
    if n > LONG_CHARS:
        out.add("long_message", i, "content", f"{n:,} characters")
    if n >= REPETITION_MIN_CHARS:
        ratio = _compression(text)
        if ratio < REPETITION_RATIO:
            out.add("repetitive_content", i, "content", f"compresses to {ratio:.1%} of its size")


def _size_problem(text: str) -> bool:
    """Whether :func:`_check_size` would report ``text``."""
    n = len(text)
    if n < REPETITION_MIN_CHARS:
        return False
    return n > LONG_CHARS or _compression(text) < REPETITION_RATIO


def _compression(text: str) -> float:
    return len(zlib.compress(text.encode("utf-8", "replace"), 1)) / max(1, len(text))
