"""The number clusters worth a look, found by the regex engine instead of a Python loop.

A chat turn holds about one number cluster per 150 characters ("2 days", "$14.99", "OnePlus
11", "version 4.13.0"), and handing each to the per-cluster rules of
:meth:`PiiDetector._number_spans` costs microseconds of Python. :func:`candidate_pattern`
builds one search that yields a cluster only when some rule could use it: its span is
exactly the :data:`~ftprep.pii.scan.NUMBER_CLUSTER` span, and the rules then run unchanged,
so the conditions below only need to be *necessary* (a superset), never sufficient:

- seven digits or more (cards, SSNs, phones); four or more when the text holds a birth cue
  (a date of birth);
- an IPv4 shape inside (``d.d.d.d``);
- a colon before or after (IPv6);
- two letters before, and the shape of an IBAN (``DE89 3704 0044...``);
- the shape of a street address after it (``742 Evergreen Terrace``, ``12 market street``:
  the house-number patterns of :mod:`ftprep.pii.address`), or a continental street name
  before it (``Hauptstraße 5``).

Every branch of the search opens with a literal digit, so ``re`` stops at digits only. The
person-name anchors (:data:`~ftprep.pii.scan.NAME_ANCHOR`) can be searched for in the same
pass: names hold no digit and clusters no letter, so the two sets of matches never overlap.
"""

from __future__ import annotations

import functools
import re

from ftprep.pii import address
from ftprep.pii.scan import NAME_WORDS, WORD_END
from ftprep.pii.trie import trie_alternation

#: what joins the digit runs of a cluster (see ``scan.NUMBER_CLUSTER``); possessive
#: quantifiers give the same matches here (a separator is never a digit) and fail faster
_SEP = r"(?:[ .\-/\u00a0]{1,3}+\(?|\)[ .\-\u00a0]?|\()"
#: the rest of a cluster after its first digit
_REST = rf"[0-9]*+(?:{_SEP}[0-9]++)*+"
_S = r"[ .\-/\u00a0]"  # the characters of a separator run
#: right after the first digit of a run: no digit before it, and it does not continue a
#: cluster ("3-5": the 5 is no cluster of its own), so spans are those of NUMBER_CLUSTER. One
#: look-behind per width (a digit, then a separator of one to four characters: see _SEP)
_CLUSTER_START = (
    "(?<![0-9][0-9])"
    r"(?<![0-9][ .\-/\u00a0()][0-9])"
    rf"(?<![0-9](?:{_S}[ .\-/\u00a0(]|\)[ .\-\u00a0])[0-9])"
    rf"(?<![0-9]{_S}{_S}[ .\-/\u00a0(][0-9])"
    rf"(?<![0-9]{_S}{_S}{_S}\([0-9])"
)
#: Python's case-insensitive matching also folds these non-ASCII letters to ASCII ones
_CASE_EXTRA = {"i": "İı", "k": "\u212a", "s": "ſ"}


def _any_case(word: str) -> list[str]:
    """Atoms matching ``word`` in any case (a superset of ``(?i:word)`` and of
    ``lower() == word``)."""
    return [
        f"[{c.lower()}{c.upper()}{_CASE_EXTRA.get(c.lower(), '')}]"
        if c.isascii() and c.isalpha()
        else ("[ßẞ]" if c == "ß" else re.escape(c))
        for c in word
    ]


#: ``(?i:Street|St|...)`` as a trie (each branch opens with a character set ``re`` checks
#: before entering it)
_SUFFIX = trie_alternation((_any_case(s), "") for s in address.SUFFIXES.split("|"))
#: after the cluster: the house-number patterns of address._US_UK and ._US_UK_LOWER, each
#: word (capitalized or not, a direction, "5th") a run of non-spaces, then the street suffix
_STREET_AFTER = rf"[A-Za-z]?(?:-[0-9]{{1,4}})?\s(?:\S++\s){{1,5}}?(?:{_SUFFIX})(?![\w'’-])"


def _continental_before() -> str:
    """A look-behind for "<street name> 5": the last three letters of a continental street
    name ending (all endings are that long, and a look-behind must have a fixed width)."""
    tails = {ending[-3:] for ending in address.CONTINENTAL_ENDINGS}
    return f"(?<=(?:{trie_alternation((_any_case(t), '') for t in tails)}) [0-9])"


@functools.lru_cache(maxsize=64)
def candidate_pattern(types: frozenset[str], birth: bool, names: bool) -> re.Pattern[str]:
    """The search for candidate clusters of the ``types`` computed (and for name anchors with
    ``names``). ``birth``: the text holds a birth cue, so a date-like cluster is a candidate."""
    before = []  # conditions on what precedes the cluster (checked after its first digit)
    after = []  # conditions on the cluster and what follows it (from after its first digit)
    at_end = []  # conditions on what follows the whole cluster
    if types & {"credit_card", "us_ssn", "phone"}:
        after.append(rf"(?:[0-9]|{_SEP}[0-9]){{6}}")  # seven digits or more
    if birth and "date_of_birth" in types:
        after.append(rf"(?:[0-9]|{_SEP}[0-9]){{3}}")  # four digits or more
    if "ip_address" in types:
        after.append(r"[0-9 .\-/\u00a0()]*?\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]")  # IPv4
        at_end.append(":")  # IPv6
        before.append("(?<=:[0-9])")
    if "iban" in types:  # two letters glued to nothing, then numbers.find_iban's shape
        before.append(r"(?<=[A-Za-z]{2}[0-9])(?<!\w[A-Za-z]{2}[0-9])(?=[0-9](?: ?[A-Za-z0-9]){11})")
    if "street_address" in types:
        at_end.append(_STREET_AFTER)
        before.append(_continental_before())
    if at_end:
        after.append(f"{_REST}(?:{'|'.join(at_end)})")
    # one look-ahead for all the conditions after (entering an assertion has a cost)
    conditions = "|".join([*before, *([f"(?={'|'.join(after)})"] if after else [])])
    entries = []
    if conditions:
        tail = f"{_CLUSTER_START}(?:{conditions}){_REST}"
        entries += [([digit], tail) for digit in "0123456789"]
    if names:
        entries += [([re.escape(c) for c in word], WORD_END) for word in NAME_WORDS]
    return re.compile(trie_alternation(entries) if entries else "(?!)")
