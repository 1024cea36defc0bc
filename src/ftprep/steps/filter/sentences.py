"""What the quality filters share: which turns are judged, sentences, code spans, pattern lists.

The quality filters (``filter.refusal``, ``filter.error_reply``, ``filter.placeholder``,
``filter.unseen_context``, ``filter.repetition``, ``filter.truncated``) judge whole message texts
(text parts joined), pick either every turn of some roles or only the last one, look at prose
with code blocks taken out, and accept user pattern lists that must compile when the recipe is
loaded.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from typing import Literal

from ftprep.record import Record, content_text
from ftprep.steps.text import TEXT_ROLE

#: which turns of the selected roles are judged
Turns = Literal["all", "last"]

_BREAK = re.compile(r"(?<=[.!?…])[\"'”’)\]*_]*\s+|\s*\n\s*")
_FENCED = re.compile(r"^[ \t]*(`{3,}|~{3,}).*?(?:^[ \t]*\1[^\n]*$|\Z)", re.MULTILINE | re.DOTALL)
_INLINE = re.compile(r"`[^`\n]+`")


def judged_texts(
    record: Record, roles: Collection[str] | None, turns: Turns = "all"
) -> list[tuple[int, str]]:
    """``(message index, text)`` for the non-blank texts of ``roles`` (every role when ``None``);
    with ``turns="last"`` only the last of them. A plain-text record's ``text`` has index -1 and
    role ``text``."""
    if record.text is not None and not record.messages:
        if (roles is None or TEXT_ROLE in roles) and record.text.strip():
            return [(-1, record.text)]
        return []
    found: list[tuple[int, str]] = []
    messages = record.messages
    order = range(len(messages) - 1, -1, -1) if turns == "last" else range(len(messages))
    for i in order:
        message = messages[i]
        if roles is not None and message.role not in roles:
            continue
        content = message.content
        text = content if isinstance(content, str) else content_text(content)
        if text and not text.isspace():
            found.append((i, text))
            if turns == "last":
                break
    return found


def contains_any(text: str, needles: Sequence[str]) -> bool:
    """Whether any of ``needles`` occurs in ``text`` (a plain loop: the fastest cheap guard)."""
    for needle in needles:  # noqa: SIM110 (a generator in any() costs twice as much here)
        if needle in text:
            return True
    return False


#: lower-case letters by how often they occur in English, the most frequent first
_FREQUENT = " etaoinsrhldcumfpgwybvkxjqz"


class Needles:
    """Substrings to look for in texts, as :func:`contains_any` does, but cheaper when some hold
    a rare character (``<``, ``#``, ``[``, an upper-case letter, a digit): such a needle is looked
    for only when its rarest character occurs in the text, which one ``memchr`` tells, and
    needles sharing that character share the test. Needles made only of lower-case letters and
    spaces, which nearly every text holds, are looked for as they are."""

    def __init__(self, needles: Sequence[str]) -> None:
        plain: list[str] = []
        keyed: dict[str, list[str]] = {}
        for needle in needles:
            if not needle:
                raise ValueError("an empty needle matches every text")
            rare = max(needle, key=_rarity)
            if rare in _FREQUENT:
                plain.append(needle)
            else:
                keyed.setdefault(rare, []).append(needle)
        self.plain = tuple(plain)
        self.keyed = tuple((c, tuple(group)) for c, group in keyed.items())

    def __call__(self, text: str) -> bool:
        """Whether any of the needles occurs in ``text``."""
        for rare, group in self.keyed:
            if rare in text:
                for needle in group:
                    if needle in text:
                        return True
        return contains_any(text, self.plain)


def _rarity(char: str) -> int:
    """How rare ``char`` is in English text: any character but a lower-case letter or a space
    is rarer than all of those."""
    rank = _FREQUENT.find(char)
    return len(_FREQUENT) if rank < 0 else rank


def split_sentences(text: str) -> list[str]:
    """The sentences and lines of ``text``, stripped, blank ones left out."""
    return [s for s in _BREAK.split(text) if s and not s.isspace()]


def strip_code(text: str) -> str:
    """``text`` without fenced code blocks (each becomes a blank line) and inline code spans."""
    if "`" not in text and "~~~" not in text:
        return text
    return _INLINE.sub(" ", _FENCED.sub("\n", text))


def clip(text: str, limit: int = 200) -> str:
    """``text`` stripped and cut to ``limit`` characters (an ellipsis marks the cut)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check_patterns(patterns: list[str] | None) -> list[str] | None:
    """``patterns`` unchanged if each compiles; a pydantic validator for pattern-list fields."""
    for pattern in patterns or ():
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from None
    return patterns


def compile_any(patterns: Sequence[str], flags: int = re.IGNORECASE) -> re.Pattern[str] | None:
    """One alternation of ``patterns`` (each in its own group), or ``None`` when there are none."""
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{p})" for p in patterns), flags)


def previous_user_text(record: Record, index: int) -> str:
    """The text of the last user turn before message ``index`` ("" when there is none)."""
    for message in reversed(record.messages[: max(index, 0)]):
        if message.role == "user":
            return message.text
    return ""
