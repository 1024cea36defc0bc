"""Per-text facts shared by the detectors, computed once and only when a detector asks.

Most texts hold no PII, so detection is a cascade of cheap gates (``"@" in text``, "does the
text hold a number cluster?") before any expensive regex or validation runs. :class:`TextScan`
caches what several gates need: the lower-cased text, the number clusters and the cue words
of every detector, found by one trie-regex scan.

Speed note: a pattern that starts with a character class (``[0-9][0-9]*``, ``[^a-z](...)``)
lets ``re`` skip quickly to candidate positions; one that starts with a repeat, a group or a
look-behind is tried at every position, several times slower.
"""

from __future__ import annotations

import re

from ftprep.pii.trie import trie_pattern

#: A run of digits and the formatting characters that glue digit groups together in phone
#: numbers, card numbers, SSNs, IPv4 addresses and dates: ``(212) 555-0123``, ``58.74.121.78``.
#: (Written ``[0-9][0-9]*``, not ``[0-9]+``: a pattern that starts with a plain character set lets
#: ``re`` skip quickly to the next digit; one that starts with a repeat is tried everywhere.)
NUMBER_CLUSTER = re.compile(r"[0-9][0-9]*(?:(?:[ .\-/\u00a0]{1,3}\(?|\)[ .\-\u00a0]?|\()[0-9]+)*")
_DIGIT = re.compile(r"[0-9]")
DIGIT_RUN = re.compile(r"[0-9][0-9]*")
_NON_DIGITS = str.maketrans("", "", " .-/()\u00a0")

#: Lower-case cue words of every detector, by family, found by one trie-regex scan of the
#: lower-cased text (cheaper than a substring test per cue). Consumers check word boundaries.
CUE_FAMILIES: dict[str, tuple[str, ...]] = {
    "birth": ("born", "birth", "dob", "d.o.b", "geboren", "geburt", "naissance", "né le",
              "née le", "nacimiento", "nacid", "nascita", "nato il", "nata il"),
    "key": ("key", "token", "secret", "bearer", "auth", "credential"),
    "password": ("pass", "pwd", "contraseña"),
    "provider": ("sk-", "xox", "eyj", "akia", "asia", "aiza", "-----begin"),
    "intro": ("name", "call", "holder"),
    "title": ("mr.", "ms.", "mrs.", "dr."),
}  # fmt: skip
_CUE_FAMILY = {cue: family for family, cues in CUE_FAMILIES.items() for cue in cues}
#: cues start a word: the leading class also lets ``re`` jump between word boundaries
_CUES = re.compile("[^a-z](" + trie_pattern(_CUE_FAMILY) + ")")


class TextScan:
    """Lazily computed views of one text."""

    __slots__ = ("_clusters", "_cues", "_low", "flags", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._low: str | None = None
        self._clusters: list[tuple[int, int]] | None = None
        self._cues: dict[str, list[tuple[int, int]]] | None = None
        #: per-text gates a detector computed once (e.g. "has an address cue")
        self.flags: dict[str, bool] = {}

    @property
    def low(self) -> str:
        """The text lower-cased (same length for the characters cues are made of)."""
        if self._low is None:
            low = self.text.lower()
            # a few characters (İ) change length when lower-cased; keep offsets aligned
            self._low = low if len(low) == len(self.text) else _lower_same_length(self.text)
        return self._low

    @property
    def clusters(self) -> list[tuple[int, int]]:
        """Spans of the number clusters (see :data:`NUMBER_CLUSTER`), in order."""
        if self._clusters is None:
            first = _DIGIT.search(self.text)
            self._clusters = (
                [m.span() for m in NUMBER_CLUSTER.finditer(self.text, first.start())]
                if first is not None
                else []
            )
        return self._clusters

    @property
    def cues(self) -> dict[str, list[tuple[int, int]]]:
        """Spans of the cue words of each family present (see :data:`CUE_FAMILIES`)."""
        if self._cues is None:
            cues: dict[str, list[tuple[int, int]]] = {}
            for m in _CUES.finditer(" " + self.low):  # the space: a cue may open the text
                start, end = m.span(1)
                cues.setdefault(_CUE_FAMILY[m.group(1)], []).append((start - 1, end - 1))
            self._cues = cues
        return self._cues

    def digits_in(self, start: int, end: int) -> int:
        """How many digits ``text[start:end]`` holds (for a cluster: digits and separators)."""
        return len(self.text[start:end].translate(_NON_DIGITS))

    def glued_before(self, pos: int) -> bool:
        """True when the character before ``pos`` is a letter, digit or underscore."""
        return pos > 0 and (self.text[pos - 1].isalnum() or self.text[pos - 1] == "_")

    def glued_after(self, pos: int) -> bool:
        """True when the character at ``pos`` is a letter, digit or underscore."""
        return pos < len(self.text) and (self.text[pos].isalnum() or self.text[pos] == "_")


def _lower_same_length(text: str) -> str:
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def cue_near(
    pattern: re.Pattern[str], low: str, start: int, end: int, before: int = 30, after: int = 15
) -> bool:
    """True when ``pattern`` matches in the ``before`` characters before ``start`` or the
    ``after`` characters after ``end`` of the lower-cased text."""
    if pattern.search(low, max(0, start - before), start) is not None:
        return True
    return after > 0 and pattern.search(low, end, min(len(low), end + after)) is not None


def word_cues(*words: str, prefix: bool = False) -> re.Pattern[str]:
    """A pattern matching any of ``words`` as whole words (lower-case input); with
    ``prefix``, as word beginnings ("call" also matches "calling")."""
    alternation = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    end = "" if prefix else r"(?![^\W_])"
    return re.compile(rf"(?<![^\W_])(?:{alternation}){end}")


def last_cue_end(pattern: re.Pattern[str], low: str, start: int, before: int) -> int:
    """End of the last match of ``pattern`` in the ``before`` characters before ``start``,
    or -1."""
    end = -1
    for m in pattern.finditer(low, max(0, start - before), start):
        end = m.end()
    return end
