"""``normalize.whitespace``: line endings, trailing spaces, blank lines and odd spaces; code kept.

Also home of :func:`split_code`, which cuts a Markdown text into prose and code (fenced blocks
and inline spans), for every step that must leave code alone.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import Field

from ftprep.record import Record
from ftprep.steps.base import StepParams, TransformStep
from ftprep.steps.text import all_texts, map_texts

# a fence opens a line (any indentation: LLM answers indent fences inside list items)
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})([^\n]*)$", re.MULTILINE)
_INLINE_CODE = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)", re.DOTALL)
#: no-break and typographic spaces; the ideographic space U+3000 belongs to CJK text and stays
_ODD_SPACE = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f]")
_LINE_BREAK = re.compile("\r\n?|[\u2028\u2029]")
_TRAILING = re.compile(r"[ \t]+$", re.MULTILINE)
#: whitespace on either side of the NUL that joins a record's texts: a text's edge
_EDGE = re.compile(r"\0(?:\s|(?<=\s\0))")
_SPACE_RUN = re.compile(r"(?<=\S) {2,}")
_SPACE_RUN_MID = re.compile(r"(?:(?<=\S)|\A) {2,}")


def split_code(text: str, inline: bool = True) -> list[tuple[str, bool]]:
    """``(piece, is_code)`` pieces that join back into ``text``: fenced code blocks (from the
    opening fence line to the end of the closing one; an unclosed fence runs to the end) and,
    with ``inline``, backtick spans are code; the rest is prose."""
    pieces: list[tuple[str, bool]] = []
    if "```" in text or "~~~" in text:
        pos = 0
        for start, end in _fenced_blocks(text):
            pieces.append((text[pos:start], False))
            pieces.append((text[start:end], True))
            pos = end
        pieces.append((text[pos:], False))
    else:
        pieces.append((text, False))
    if inline and "`" in text:
        pieces = [part for piece in pieces for part in _split_inline(*piece)]
    return [piece for piece in pieces if piece[0]]


def _fenced_blocks(text: str) -> list[tuple[int, int]]:
    blocks = []
    at = 0
    while (opening := _FENCE.search(text, at)) is not None:
        fence, info = opening.group(1), opening.group(2)
        if fence[0] == "`" and "`" in info:  # ```like this``` is an inline span, not a fence
            at = opening.end()
            continue
        end = len(text)
        closing = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$", re.M)
        found = closing.search(text, opening.end())
        if found is not None:
            end = found.end()
        blocks.append((opening.start(), end))
        at = end
    return blocks


def _split_inline(piece: str, code: bool) -> list[tuple[str, bool]]:
    if code or "`" not in piece:
        return [(piece, code)]
    parts: list[tuple[str, bool]] = []
    pos = 0
    for span in _INLINE_CODE.finditer(piece):
        parts.append((piece[pos : span.start()], False))
        parts.append((span.group(), True))
        pos = span.end()
    parts.append((piece[pos:], False))
    return parts


class WhitespaceParams(StepParams):
    trim: bool = Field(True, description="Remove blank lines and spaces around each text.")
    strip_trailing: bool = Field(True, description="Remove spaces and tabs at the end of lines.")
    max_blank_lines: int | None = Field(
        1, ge=0, description="Most consecutive blank lines kept (null: no limit)."
    )
    unicode_spaces: bool = Field(
        True,
        description="Turn no-break and typographic spaces (U+00A0, U+2000-U+200A, U+202F...) "
        "into plain spaces; the ideographic space U+3000 is kept.",
    )
    collapse_spaces: bool = Field(
        False, description="Collapse runs of spaces inside lines (never indentation) to one."
    )


class WhitespaceNormalizer(TransformStep):
    """Normalise the whitespace of every text, leaving code as it is.

    Line endings (``\\r\\n``, ``\\r``, U+2028, U+2029) become ``\\n`` everywhere. Outside fenced
    code blocks, trailing spaces are stripped and runs of blank lines shortened; outside fenced
    blocks and inline code, odd spaces become plain ones and, if asked, runs of spaces collapse.
    ``trim`` keeps the indentation of a first line when the next line is indented too (code).

    Reads: every text (message strings, text parts, a plain-text record's text).
    Writes: those texts; counts each fix (``line_endings``, ``trailing_spaces``, ``blank_lines``,
    ``unicode_spaces``, ``spaces_collapsed``, ``trimmed``) per text changed.
    Drops: nothing.
    """

    id: ClassVar[str] = "normalize.whitespace"
    Params = WhitespaceParams
    params: WhitespaceParams

    def __init__(self, params: StepParams | dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(params, **kwargs)
        p = self.params
        blanks = p.max_blank_lines
        self._blank_re = None if blanks is None else re.compile(rf"\n(?:[ \t]*\n){{{blanks + 1},}}")
        self._blank_to = "" if blanks is None else "\n" * (blanks + 1)
        # what a line-level fix needs, behind a literal "\n" so that re skips to newlines fast
        signs = [r"(?<=[ \t]\n)"] if p.strip_trailing else []
        if blanks is not None:  # with strip_trailing, a blank line holding spaces is caught already
            signs.append(
                rf"\n{{{blanks + 1}}}" if p.strip_trailing else rf"(?:[ \t]*\n){{{blanks + 1}}}"
            )
        self._line_signs = re.compile(rf"\n(?:{'|'.join(signs)})") if signs else None
        self._odd = _ODD_SPACE if p.unicode_spaces else None

    def transform(self, record: Record) -> Record:
        joined = "\0".join(all_texts(record))
        if self._edges(joined) or _EDGE.search(joined) or self._dirty(joined):
            map_texts(record, self._clean)
        return record

    def _clean(self, text: str) -> str:
        if not (self._edges(text) or self._dirty(text)):
            return text
        if "\r" in text or not text.isascii():
            text = self._sub(_LINE_BREAK, "\n", text, "line_endings")
        pieces = split_code(text, inline=False)
        text = "".join(piece if code else self._prose(piece) for piece, code in pieces)
        return self._trim(text) if self.params.trim else text

    def _edges(self, text: str) -> bool:
        """Whether ``text`` starts or ends with whitespace (for trim and trailing spaces)."""
        return bool(text) and (text[0].isspace() or text[-1].isspace())

    def _dirty(self, text: str) -> bool:
        """Whether a fix inside ``text`` (or inside a record's texts joined by NULs) may apply:
        tests that a clean text passes in about a nanosecond a character."""
        if "\r" in text:
            return True
        if not text.isascii() and (
            _LINE_BREAK.search(text) or (self._odd is not None and self._odd.search(text))
        ):
            return True
        if self._line_signs is not None and self._line_signs.search(text):
            return True
        return self.params.collapse_spaces and "  " in text

    def _prose(self, text: str) -> str:
        p = self.params
        if p.unicode_spaces or p.collapse_spaces:
            parts = split_code(text) if "`" in text else [(text, False)]
            text = "".join(  # a part after inline code starts mid-line
                part if code else self._spaces(part, mid_line=i > 0)
                for i, (part, code) in enumerate(parts)
            )
        if p.strip_trailing:
            text = self._sub(_TRAILING, "", text, "trailing_spaces")
        if self._blank_re is not None:
            text = self._sub(self._blank_re, self._blank_to, text, "blank_lines")
        return text

    def _spaces(self, text: str, mid_line: bool) -> str:
        if self.params.unicode_spaces and not text.isascii():
            text = self._sub(_ODD_SPACE, " ", text, "unicode_spaces")
        if self.params.collapse_spaces and "  " in text:
            pattern = _SPACE_RUN_MID if mid_line else _SPACE_RUN
            text = self._sub(pattern, " ", text, "spaces_collapsed")
        return text

    def _trim(self, text: str) -> str:
        start = len(text) - len(text.lstrip(" \t\n"))
        if start and text[start - 1] != "\n":
            # an indented first line followed by an indented line is code: keep its indentation
            after = text.find("\n", start)
            following = text[after + 1 :].lstrip("\n") if after >= 0 else ""
            if following[:1] in (" ", "\t") and not following.isspace():
                start = text.rfind("\n", 0, start) + 1
        trimmed = text[start:].rstrip()
        if trimmed != text:
            self.count("trimmed")
        return trimmed

    def _sub(self, pattern: re.Pattern[str], repl: str, text: str, key: str) -> str:
        new, n = pattern.subn(repl, text)
        if n and new != text:
            self.count(key)
        return new
