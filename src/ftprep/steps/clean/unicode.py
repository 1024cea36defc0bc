"""``normalize.unicode``: repair mojibake, remove invisible control characters, normalise (NFC)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import ClassVar, Literal

from pydantic import Field

from ftprep.record import Record
from ftprep.steps.base import StepParams, TransformStep
from ftprep.steps.text import all_texts, map_texts

#: C0 controls but \t \n \r (line endings are normalize.whitespace's), DEL
_ASCII_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: what an ASCII text may hold: deleting these from its bytes leaves its control characters
_ASCII_PRINTABLE = bytes(range(0x20, 0x7F)) + b"\t\n\r"
#: ... and C1 controls, soft hyphen, zero-width space, word joiner, BOM / zero-width no-break space,
#: bidi embeddings, overrides and isolates. Zero-width (non-)joiners stay: emoji and scripts need
#: them, and so do the left-to-right / right-to-left marks of bidirectional text.
_CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u200b\u2060\ufeff\u202a-\u202e\u2066-\u2069]"
)
#: halves of a surrogate pair left alone by a broken decoder: they cannot be written as UTF-8
_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL_OR_SURROGATE = re.compile(f"{_CONTROL.pattern[:-1]}\ud800-\udfff]")


class UnicodeParams(StepParams):
    fix_mojibake: bool = Field(
        True,
        description="Repair text decoded with the wrong encoding (`Ã©` -> `é`, `â€™` -> `’`) "
        "and C1 controls meant as Windows-1252, with ftfy.",
    )
    form: Literal["NFC", "NFKC", "none"] = Field(
        "NFC",
        description="Unicode normalization form; NFKC also folds compatibility characters "
        "(full-width letters, ligatures, superscripts).",
    )
    control_chars: bool = Field(
        True,
        description="Remove control characters (but tab and line endings), zero-width spaces, "
        "BOMs, soft hyphens and bidi overrides; replace lone surrogates with U+FFFD.",
    )


class UnicodeNormalizer(TransformStep):
    """Repair the encoding of every text and remove what is invisible or unwritable.

    In order: mojibake repair (ftfy's encoding fixes only, on the lines that show UTF-8 read as a
    single-byte encoding), control-character removal, then Unicode normalization. An ASCII text
    without control characters is passed over at once.

    Reads: every text (message strings, text parts, a plain-text record's text).
    Writes: those texts; counts the texts each fix changed (``mojibake_fixed``,
    ``control_chars_removed``, ``surrogates_replaced``, ``normalized``).
    Drops: nothing.
    """

    id: ClassVar[str] = "normalize.unicode"
    Params = UnicodeParams
    params: UnicodeParams

    _hint: re.Pattern[str] | None = None
    _fix_encoding: Callable[[str], str]

    def setup(self) -> None:
        if self.params.fix_mojibake:
            import ftfy  # imported here: 90 ms that a run without this step need not pay
            from ftfy.chardata import UTF8_CLUES

            self._fix_encoding = ftfy.fix_encoding
            self._hint = _mojibake_hint(UTF8_CLUES)

    def transform(self, record: Record) -> Record:
        joined = "".join(all_texts(record))
        if not joined.isascii() or (self.params.control_chars and _ascii_controls(joined)):
            map_texts(record, self._clean)
        return record

    def _clean(self, text: str) -> str:
        p = self.params
        if text.isascii():
            if p.control_chars and _ascii_controls(text):
                return self._sub(_ASCII_CONTROL, "", text, "control_chars_removed")
            return text
        hint = self._hint
        if hint is not None and hint.search(text):
            text = self._fix_mojibake(text, hint)
        if p.control_chars and _CONTROL_OR_SURROGATE.search(text):
            text = self._sub(_CONTROL, "", text, "control_chars_removed")
            text = self._sub(_SURROGATE, "\ufffd", text, "surrogates_replaced")
        if p.form != "none" and not unicodedata.is_normalized(p.form, text):
            self.count("normalized")
            text = unicodedata.normalize(p.form, text)
        return text

    def _fix_mojibake(self, text: str, hint: re.Pattern[str]) -> str:
        """ftfy's encoding fixes, line by line (as ftfy does), on the suspicious lines only."""
        lines = text.split("\n")
        fixed = [self._fix_encoding(line) if hint.search(line) else line for line in lines]
        if fixed == lines:
            return text
        self.count("mojibake_fixed")
        return "\n".join(fixed)

    def _sub(self, pattern: re.Pattern[str], repl: str, text: str, key: str) -> str:
        new, n = pattern.subn(repl, text)
        if n:
            self.count(key)
        return new


def _ascii_controls(text: str) -> bool:
    """Whether the ASCII ``text`` holds a control character (a byte-table pass: 1 ns a char)."""
    return bool(text.encode("ascii").translate(None, _ASCII_PRINTABLE))


def _mojibake_hint(clues: dict[str, str]) -> re.Pattern[str]:
    """What UTF-8 read as Latin-1, Windows-125x, MacRoman or CP437 leaves: a lead-byte letter
    followed by continuation-byte characters (``Ã©``, ``â€™``, ``Ð¿``), a lost no-break space
    after ``Ã``/``Â``, or a C1 control. Legitimate text rarely matches; ftfy judges what does.

    One character class leads and lookbehinds pick the branch: five times faster than an
    alternation of classes, which re tries one by one at every position."""
    first2, first3, first4 = (
        clues["utf8_first_of_2"],
        clues["utf8_first_of_3"],
        clues["utf8_first_of_4"],
    )
    cont = "[" + clues["utf8_continuation"].replace(" ", "") + "]"
    return re.compile(
        f"[{first2}{first3}{first4}\x80-\x9f]"
        f"(?:(?<=[\x80-\x9f])|(?<=[{first2}]){cont}|(?<=[{first3}]){cont}{{2}}"
        f"|(?<=[{first4}]){cont}{{3}}|(?<=[ÂÃ]) )"
    )
