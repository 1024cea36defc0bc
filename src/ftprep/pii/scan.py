"""Per-text facts shared by the detectors, computed once and only when a detector asks.

Most texts hold no PII, so detection is a cascade of cheap gates (``"@" in text``, "does the
text hold a cue word?") before any expensive regex or validation runs. :class:`TextScan`
caches what several gates need: the lower-cased text, the cue words of the detectors
(``password``, ``name``, ``born``...), the number clusters and the anchors of person names
(listed first names, titles, "My name is").

Speed notes (CPython's ``re``; at 20 MB/s a 170-character chat turn has 8 µs in all):

- a search whose pattern starts with a literal jumps between candidates at memchr-like
  speed; one that starts with a character set (or an alternation of literals) tests every
  character (5-10 ns each); one that starts with a repeat, a group or a look-behind is tried
  at every position. An alternation then costs a few ns per branch at each candidate;
- so the cue words are found in the *folded* text (:func:`fold`: one byte per character,
  ASCII letters lower-cased, every other character a space) by a search for a space followed
  by the trie of the cues: ``re`` jumps from space to space. Each match is then checked with
  the exact pattern on the lower-cased text;
- number clusters and name anchors are found by one search that stops only at digits and
  capitals (see :mod:`ftprep.pii.candidates`);
- a match object costs about half a microsecond, and most texts hold no cue and no anchor:
  the first search usually ends the work.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ftprep.pii.firstnames import FIRST_NAMES, INTRO_OPENERS, TITLES
from ftprep.pii.trie import trie_alternation, trie_pattern

#: A run of digits and the formatting characters that glue digit groups together in phone
#: numbers, card numbers, SSNs, IPv4 addresses and dates: ``(212) 555-0123``, ``58.74.121.78``.
#: (Written ``[0-9][0-9]*``, not ``[0-9]+``: a pattern that starts with a plain character set lets
#: ``re`` skip quickly to the next digit; one that starts with a repeat is tried everywhere.)
NUMBER_CLUSTER = re.compile(r"[0-9][0-9]*(?:(?:[ .\-/\u00a0]{1,3}\(?|\)[ .\-\u00a0]?|\()[0-9]+)*")
DIGIT_RUN = re.compile(r"[0-9][0-9]*")
_NON_DIGITS = str.maketrans("", "", " .-/()\u00a0")

#: Lower-case cue words of the detectors, by family. A cue starts a word: it opens the text
#: or follows a character that is not an ASCII letter. Consumers check where the word ends.
CUE_FAMILIES: dict[str, tuple[str, ...]] = {
    "birth": ("born", "birth", "dob", "d.o.b", "geboren", "geburt", "naissance", "né le",
              "née le", "nacimiento", "nacid", "nascita", "nato il", "nata il"),
    "key": ("key", "token", "secret", "bearer", "auth", "credential"),
    "password": ("pass", "pwd", "contraseña"),
    "provider": ("sk-", "xox", "eyj", "akia", "asia", "aiza"),
    "intro": ("name", "call", "holder"),
    "title": ("mr.", "ms.", "mrs.", "dr."),
}  # fmt: skip
_CUE_FAMILY = {cue: family for family, cues in CUE_FAMILIES.items() for cue in cues}

NAME_WORDS = {*TITLES, *FIRST_NAMES, *INTRO_OPENERS} - {"mr", "mrs", "ms", "dr"}
WORD_END = r"(?![^\W\d_])"
#: The person-name anchors, case-sensitive: titles (``Dr``), listed first names (``Jane``) and
#: introductions that open a sentence (``My name is``), each ending a word.
NAME_ANCHOR = re.compile(trie_pattern(NAME_WORDS) + WORD_END)

#: byte -> itself lower-cased for ASCII letters, a space for every other byte
_FOLD_TABLE = bytes(c | 0x20 if 65 <= c <= 90 or 97 <= c <= 122 else 0x20 for c in range(256))


def fold(text: str) -> bytes:
    """One byte per character of ``text``, at the same offsets: ASCII letters lower-cased,
    every other character (digits, punctuation, accented letters, emoji) a space."""
    return text.encode("latin-1", "replace").translate(_FOLD_TABLE)


class _CueScan:
    """Finds the cues of some families: a search of the folded text for a space followed by
    the trie of the folded cues (``re`` jumps from space to space), then, at each match, the
    exact cue matched on the lower-cased text (which also checks the characters folding lost:
    "né le", "mr.")."""

    def __init__(self, families: Iterable[str]) -> None:
        cues = [cue for family in families for cue in CUE_FAMILIES[family]]
        entries = []
        #: folded match -> (family, length) for a cue of ASCII letters (nothing to check)
        self.plain: dict[bytes, tuple[str, int]] = {}
        for cue in cues:
            # the first folded word, then the rest as a look-ahead ("mr." needs its dot): a
            # match never covers the start of the next word
            folded = fold(cue).decode("ascii")
            head = folded.partition(" ")[0]
            rest = folded[len(head) :]
            entries.append((list(head), f"(?={re.escape(rest)})" if rest else ""))
            if head == cue:
                self.plain[b" " + head.encode()] = (_CUE_FAMILY[cue], len(cue))
        self.search = re.compile(b" (?:" + trie_alternation(entries).encode("ascii") + b")").search
        self.exact = re.compile(trie_pattern(cues)).match

    def find(self, scan: TextScan) -> dict[str, list[tuple[int, int]]]:
        cues: dict[str, list[tuple[int, int]]] = {}
        text = scan.text
        # " " + text folded: folded[k + 1] is text[k] (the space: a cue may open the text)
        folded = (" " + text).encode("latin-1", "replace").translate(_FOLD_TABLE)
        m = self.search(folded)
        while m is not None:
            pos = m.start()  # the match's space sits at the cue's offset in the text
            # the only non-ASCII character that lower-cases to an ASCII letter: no word start
            if not pos or text[pos - 1] != "\u212a":
                plain = self.plain.get(m.group())
                if plain is not None:  # the cue is the match (ASCII letters, nothing lost)
                    cues.setdefault(plain[0], []).append((pos, pos + plain[1]))
                else:  # "né le", "mr.": check the characters folding lost
                    cue = self.exact(scan.low, pos)
                    if cue is not None:
                        cues.setdefault(_CUE_FAMILY[cue.group()], []).append(cue.span())
            m = self.search(folded, m.end())
        return cues


_CUES = _CueScan(CUE_FAMILIES)


def has_digit(text: str) -> bool:
    """True when ``text`` holds an ASCII digit (ten ``memchr`` scans beat one regex search)."""
    return (
        "0" in text or "1" in text or "2" in text or "3" in text or "4" in text
        or "5" in text or "6" in text or "7" in text or "8" in text or "9" in text
    )  # fmt: skip


class TextScan:
    """Lazily computed views of one text (a plain class: its defaults live on the class, so
    creating one per text costs one attribute)."""

    _low: str | None = None
    _clusters: list[tuple[int, int]] | None = None
    _anchors: list[tuple[int, int]] | None = None
    _cues: dict[str, list[tuple[int, int]]] | None = None
    _flags: dict[str, bool] | None = None
    _runs: dict[tuple[int, int], list[tuple[int, int]]] | None = None

    def __init__(self, text: str) -> None:
        self.text = text

    @property
    def flags(self) -> dict[str, bool]:
        """Per-text gates a detector computed once (e.g. "has an address cue")."""
        if self._flags is None:
            self._flags = {}
        return self._flags

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
        """Spans of all the number clusters (see :data:`NUMBER_CLUSTER`), in order."""
        if self._clusters is None:
            text = self.text
            self._clusters = (
                [m.span() for m in NUMBER_CLUSTER.finditer(text)] if has_digit(text) else []
            )
        return self._clusters

    def candidate_clusters(
        self, pattern: re.Pattern[str], names: bool = False
    ) -> list[tuple[int, int]]:
        """Spans of the clusters a candidate search (see :mod:`ftprep.pii.candidates`)
        yields, in order; with ``names`` the search also finds the name anchors, which
        :attr:`anchors` then returns."""
        text = self.text
        clusters: list[tuple[int, int]] = []
        anchors: list[tuple[int, int]] = []
        m = pattern.search(text)  # most texts have no match: no iterator to build
        while m is not None:
            start = m.start()
            if text[start] <= "9":
                clusters.append(m.span())
            elif start == 0 or not (text[start - 1].isalnum() or text[start - 1] == "_"):
                anchors.append(m.span())
            m = pattern.search(text, m.end())
        if names:
            self._anchors = anchors
        return clusters

    @property
    def anchors(self) -> list[tuple[int, int]]:
        """Spans of the :data:`NAME_ANCHOR` matches that start a word, in order."""
        if self._anchors is None:
            text = self.text
            m = NAME_ANCHOR.search(text)
            self._anchors = (
                [
                    a.span()
                    for a in NAME_ANCHOR.finditer(text, m.start())
                    if not self.glued_before(a.start())
                ]
                if m is not None
                else []
            )
        return self._anchors

    @property
    def cues(self) -> dict[str, list[tuple[int, int]]]:
        """Spans of the cue words of each family present, in order (see
        :data:`CUE_FAMILIES`)."""
        if self._cues is None:
            self._cues = _CUES.find(self)
        return self._cues

    def runs(self, start: int, end: int) -> list[tuple[int, int]]:
        """Spans of the digit runs in ``text[start:end]`` (kept: cards, SSNs and phones all
        ask for those of a long cluster). Do not change the list."""
        if self._runs is None:
            self._runs = {}
        runs = self._runs.get((start, end))
        if runs is None:
            runs = self._runs[start, end] = [
                m.span() for m in DIGIT_RUN.finditer(self.text, start, end)
            ]
        return runs

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
    ``prefix``, as word beginnings ("call" also matches "calling").

    Each branch opens with the word's first character, and checks only then that no letter
    or digit precedes it: a pattern that opened with that look-behind would be tried at every
    position (several times slower on a 30-character window)."""
    by_first: dict[str, list[str]] = {}
    for word in sorted(words, key=len, reverse=True):
        by_first.setdefault(word[0], []).append(word[1:])
    branches = "|".join(
        f"{re.escape(first)}(?<![^\\W_]{re.escape(first)})(?:{'|'.join(map(re.escape, rests))})"
        for first, rests in by_first.items()
    )
    end = "" if prefix else r"(?![^\W_])"
    return re.compile(f"(?:{branches}){end}")


def last_cue_end(pattern: re.Pattern[str], low: str, start: int, before: int) -> int:
    """End of the last match of ``pattern`` in the ``before`` characters before ``start``,
    or -1."""
    end = -1
    for m in pattern.finditer(low, max(0, start - before), start):
        end = m.end()
    return end
