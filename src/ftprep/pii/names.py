"""Person names, rule-based (entity type ``person``).

Rules, each returning only the name (never the cue):

- a title: ``Mr. Fernandez``, ``Dr Nielsen``, ``Mrs. Amy Kupcová``, lower-case ``ms. Kuyra``;
- a listed first name (:mod:`ftprep.pii.firstnames`) followed by a capitalized surname
  (``Megan Payne``, ``John F. Smith``, ``Elena van der Berg``), or right after a greeting or
  an introduction (``Hi Jane``, ``I'm Priya``, ``speak to Maria``);
- an introduction with any capitalized name: ``my name is X``, ``name: X``, ``call me X``,
  ``account holder X``, ``me llamo X``, ``ich heiße X``;
- a greeting opening the message or a line, closed by punctuation: ``Thanks, Kwame!``;
- a signature: a closing line (``Best regards,``) followed by a line that is only a name.

Titles, listed names and introductions are found by one case-sensitive trie search
(``scan.anchors``: the detector runs it together with its number-cluster search, see
:mod:`ftprep.pii.candidates`); the other rules run only around their cue words.
"""

from __future__ import annotations

import re

from ftprep.pii.address import UPPER
from ftprep.pii.firstnames import FIRST_NAMES, INTRO_OPENERS, TITLES
from ftprep.pii.scan import TextScan
from ftprep.pii.spans import PiiSpan
from ftprep.pii.trie import trie_pattern

_NAME = rf"[{UPPER}][^\W\d_]*(?:['’\-][{UPPER}]?[^\W\d_]+)*"
#: surname particles written in lower case between capitalized words ("Van der Berg")
_PARTICLES = r"(?:(?:van|von|der|den|de|del|della|di|da|du|dos|le|la|bin|ibn|al|ten|ter)[ \t]+)*"
_NAMES = rf"{_NAME}(?:[ \t]+{_PARTICLES}{_NAME}){{0,2}}"
_AFTER_INTRO = re.compile(rf"[ \t]*[:,]?[ \t]+({_NAMES})")
_AFTER_TITLE = re.compile(rf"\.?[ \t]+({_NAMES})")
_AFTER_FIRST = re.compile(
    rf"(?:[ \t]+[A-Z]\.)?[ \t]+({_PARTICLES}{_NAME}(?:[ \t]+{_PARTICLES}{_NAME})?)"
)
_BEFORE_LISTED = re.compile(
    r"(?:\b(?:hi|hello|hey|dear|thanks|thank you|bye|cheers|morning|afternoon|evening|hallo"
    r"|bonjour|hola|ciao|merci|danke|gracias|welcome|i'm|i’m|i am|this is|it's|speak to|speak with"
    r"|spoke to|spoke with|talk to|ask for|ask|with|from|ich bin|soy|name is|name|call me"
    r"|calls me|holder)[ \t]*[,:]?[ \t]*)$"
)
#: per lower-case intro cue, what must follow it (matched at the cue)
_INTRO_AFTER: dict[str, re.Pattern[str]] = {
    cue: re.compile(rf"(?i:{follow})[ \t]*[:,?]?[ \t]+({_NAMES})")
    for cue, follow in (
        ("name", r"name(?:'s|’s| is| was|)"),
        ("call", r"call(?:s|ed)? me"),
        ("holder", r"holder(?: name)?(?: is)?"),
    )
}
_GREETING = re.compile(
    r"[ \t]*(?i:hi|hello|hey|dear|thanks|thank you|bye|cheers|good morning|good afternoon"
    r"|good evening|hallo|bonjour|hola|ciao|merci|danke|gracias|welcome)[ \t]*,?[ \t]+"
    rf"({_NAMES})"
)
_SIGNATURE = re.compile(
    r"[ \t]*(?i:thanks|thank you|regards|best regards|kind regards|warm regards|best"
    r"|cheers|sincerely|yours|yours truly|all the best|br|--|—)[ \t]*[,.!]?[ \t]*\n"
    rf"[ \t]*({_NAMES})[ \t]*(?=\n|$)"
)
_CLOSINGS = ("thank", "regards", "best", "kind regards", "warm regards", "cheers", "sincerely",
             "yours", "all the best", "br,", "--", "—")  # fmt: skip
_GREETING_STARTS = (*_CLOSINGS, "hi", "hello", "hey", "dear", "bye", "good ", "hallo",
                    "bonjour", "hola", "ciao", "merci", "danke", "gracias", "welcome")  # fmt: skip
_GREETING_CHARS = max(map(len, _GREETING_STARTS))
_GREETING_START = re.compile(trie_pattern(_GREETING_STARTS))  # low.startswith(), but faster
_CLOSING_START = re.compile(trie_pattern(_CLOSINGS))  # low.startswith(_CLOSINGS, pos)
#: the first characters of the greetings, in either case ("\u212a", Kelvin, lower-cases to
#: "k"), and their first two ("—" is the only one-character greeting)
_GREETING_FIRST = frozenset(c for g in _GREETING_STARTS for c in (g[0], g[0].upper())) | {"\u212a"}
_GREETING_HEADS = frozenset(g[:2] for g in _GREETING_STARTS if len(g) >= 2)
_STOP = frozenset(
    """
    The A An I It This That These Those We You They He She My Your Our Their His Her Its
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May
    June July August September October November December Today Tomorrow Tonight Yesterday
    Acme Support Team Customer Service Sales Billing Account Admin Sorry Not Here There Also
    Just Still Now Thanks Thank Please Yes No Ok OK Okay Hi Hello Hey Welcome Good Great
    Happy Glad Fine Back Later Soon English French German Spanish Italian Dutch Street Avenue
    Road Lane Drive Station Beach Airport Square University College County City Inc Ltd
    LLC Corp Company Group Bank Hotel Hospital School River Lake Island Valley Bay Center
    Centre Museum Church Tech Mr Mrs Ms Dr Prof And Or But If So Because Everyone Everybody
    Someone Somebody Anyone Nobody Again Once Twice Regards Best Cheers Sincerely Dear Bot
    Assistant Agent Manager Sir Madam Mom Dad Mum Hub Cam Mini Pro Max Plus App Web World
    All Guys Folks Friends Guys Everyone Team Sorry Again Mister Miss Boss Doc Buddy Mate
    """.split()  # noqa: SIM905 (a word list reads better than 400 quoted strings)
)  # fmt: skip


def find_persons(scan: TextScan) -> list[PiiSpan]:
    """Person names by the rules in the module docstring."""
    text = scan.text
    found: list[PiiSpan] = []
    for start, end in scan.anchors:
        span = _anchored(text, start, end)
        if span is not None:
            found.append(span)
    cues = scan.cues
    for pos, end in cues.get("title", ()):
        if not scan.glued_before(pos):
            span = _anchored(text, pos, end)
            if span is not None:
                found.append(span)
    intros = cues.get("intro")
    if intros:
        low = scan.low
        for pos, end in intros:
            if pos == 0 or not low[pos - 1].isalpha():
                found.extend(_matched(text, _INTRO_AFTER[low[pos:end]], pos, 0.8))
    if "\n" in text or opens_with_greeting(scan):  # else no line rule applies
        found.extend(_line_rules(scan))
    return found


def opens_with_greeting(scan: TextScan) -> bool:
    """``scan.low.startswith(_GREETING_STARTS)``, without lower-casing the whole text."""
    text = scan.text
    if text[:1] not in _GREETING_FIRST:
        return False
    if text[:2].lower() not in _GREETING_HEADS and not text.startswith("—"):
        return False
    head = text[:_GREETING_CHARS]
    return _GREETING_START.match(head.lower() if head.isascii() else scan.low) is not None


def _anchored(text: str, start: int, end: int) -> PiiSpan | None:
    """The name at a title (``Mr. Doe``) or a listed first name (``Jane Doe``, ``Hi Jane``)."""
    word = text[start:end]
    if word in INTRO_OPENERS:
        m = _AFTER_INTRO.match(text, end)
        span = _trim(text, m.start(1), m.end(1), False) if m else None
        return None if span is None else PiiSpan(*span, "person", text[span[0] : span[1]], 0.8)
    if word.rstrip(".") in TITLES:
        m = _AFTER_TITLE.match(text, end)
        span = _trim(text, m.start(1), m.end(1), False) if m else None
        return None if span is None else PiiSpan(*span, "person", text[span[0] : span[1]], 0.85)
    m = _AFTER_FIRST.match(text, end)
    if m is not None:
        surname_end = _trim(text, m.start(1), m.end(1), False)
        if surname_end is not None and surname_end[0] == m.start(1):
            return PiiSpan(start, surname_end[1], "person", text[start : surname_end[1]], 0.7)
    if _BEFORE_LISTED.search(text[max(0, start - 24) : start].lower()):
        return PiiSpan(start, end, "person", word, 0.75)
    return None


def _matched(text: str, pattern: re.Pattern[str], pos: int, score: float) -> list[PiiSpan]:
    m = pattern.match(text, pos)
    span = _trim(text, m.start(1), m.end(1), False) if m else None
    return [] if span is None else [PiiSpan(*span, "person", text[span[0] : span[1]], score)]


def _line_rules(scan: TextScan) -> list[PiiSpan]:
    """Rules that look at line starts: a greeting opening a line, then a capitalized word
    closed by punctuation ("Thanks, Kwame!") or any capitalized word after "Dear"; and a
    signature, a closing line ("Best regards,") followed by a line that is only a name."""
    text, low = scan.text, scan.low
    out = []
    pos = 0
    while pos != -1:
        line_start, pos = pos, text.find("\n", pos)
        pos = pos + 1 if pos != -1 else -1
        if _GREETING_START.match(low, line_start) is None:
            continue
        m = _GREETING.match(text, line_start)
        span = _trim(text, m.start(1), m.end(1), False) if m else None
        if m is not None and span is not None:
            closed = text[span[1] : span[1] + 1] in (",", "!", ".", "?", ":", "\n", "")
            if closed or low.startswith("dear", m.start()):
                out.append(PiiSpan(span[0], span[1], "person", text[span[0] : span[1]], 0.6))
        if pos != -1 and _CLOSING_START.match(low, line_start) is not None:
            out.extend(_matched(text, _SIGNATURE, line_start, 0.7))
    return out


def _trim(text: str, start: int, end: int, listed_only: bool) -> tuple[int, int] | None:
    """Keep the leading words that look like a name: drop stop words, acronyms and a
    possessive; with ``listed_only`` the first word must be a listed first name."""
    kept_end = start
    for k, w in enumerate(re.finditer(r"\S+", text[start:end])):
        word = w.group()
        possessive = word.endswith(("'s", "’s"))
        if possessive:
            word = word[:-2]
        if word in _STOP or (word.isupper() and len(word) > 1):
            break
        if k == 0 and listed_only and word not in FIRST_NAMES:
            return None
        kept_end = start + w.start() + len(word)
        if possessive:
            break
    return (start, kept_end) if kept_end > start else None
