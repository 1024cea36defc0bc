"""The PII detector: runs the detectors of the requested types over a text and returns
non-overlapping spans.

Detection is a cascade of gates, so that the common case, a message with no PII, costs two
searches of the text and a few substring tests (see :class:`~ftprep.pii.scan.TextScan`):
the cue words of every detector in the folded text, and, in one search, the number clusters
some rule could use (:mod:`ftprep.pii.candidates`) with the capitalized name anchors. Then:

- ``@`` in the text → the e-mail regex at each ``@``, URL credentials if ``://`` occurs;
- ``_`` or a provider cue (``sk-``, ``akia``, ``eyj``...) → provider token regexes; key and
  password cues → the generic-secret regex matched at each cue;
- candidate clusters → per cluster, only the detectors its digit count and surroundings allow
  (cards need 12+ digits, IPv4 three dots, a street number a following street name...);
  checksums and ``phonenumbers`` run last, on candidates only;
- a date-like cluster and a birth cue → dates of birth; titles, listed first names,
  introduction cues and line-opening greetings → persons.

Results are cached per text (:class:`ResultCache`): chat data repeats texts, above all the
system prompt of every conversation.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from itertools import accumulate, islice
from types import ModuleType

from ftprep.errors import MissingExtraError
from ftprep.pii import address, contact, credentials, dates, names, numbers
from ftprep.pii.candidates import candidate_pattern
from ftprep.pii.ner import DEFAULT_MODEL, PresidioPersonRecognizer
from ftprep.pii.scan import TextScan
from ftprep.pii.spans import PII_TYPES, PiiSpan, resolve_overlaps

NER_BACKENDS: tuple[str, ...] = ("rules", "presidio", "none")
#: joins texts in :meth:`PiiDetector.detect_many`: line breaks end every cue window and
#: sentence, and U+001E (record separator) is matched by no pattern
SEPARATOR = "\n\x1e\n"
_NUMERIC = frozenset({"phone", "credit_card", "us_ssn", "iban", "ip_address"})
_AT_TYPES = frozenset({"email", "url_credentials"})
_IPV6_MARGIN = 45
_NO_CUES: dict[str, list[tuple[int, int]]] = {}
DEFAULT_CACHE_SIZE = 8192
#: the cache holds at most this many characters of text in all (its keys)
CACHE_MAX_CHARS = 4_000_000


class PiiDetector:
    """Finds PII spans in texts.

    ``types``: entity types to report (default: all of :data:`PII_TYPES`). ``ner``: how
    person names are found: ``"rules"`` (bundled rules and first-name list), ``"presidio"``
    (Presidio + a spaCy model, if installed) or ``"none"``. ``phone_regions``: regions tried,
    in order, to validate numbers written without a country code. ``min_score``: spans
    scoring below it are dropped (context-only phones score 0.6, private IPs 0.7).
    ``cache_size``: how many recent texts keep their result (:class:`ResultCache`, at most
    4M characters of text in all): chat datasets repeat texts (the system prompt of every
    conversation, "Thanks!"), and a repeated text then costs one dictionary look-up; 0 turns
    the cache off.
    """

    def __init__(
        self,
        types: Iterable[str] | None = None,
        *,
        ner: str = "rules",
        phone_regions: Sequence[str] | None = None,
        min_score: float = 0.5,
        ner_model: str | None = None,
        cache_size: int = DEFAULT_CACHE_SIZE,
    ) -> None:
        wanted = frozenset(PII_TYPES if types is None else types)
        unknown = sorted(wanted - set(PII_TYPES))
        if unknown:
            raise ValueError(f"unknown PII type(s) {unknown}; known: {', '.join(PII_TYPES)}")
        if ner not in NER_BACKENDS:
            raise ValueError(f"unknown ner backend {ner!r}; known: {', '.join(NER_BACKENDS)}")
        if ner == "none":
            wanted -= {"person"}
        self.types = wanted
        self.ner = ner
        self.min_score = min_score
        self._computed = wanted | (_NUMERIC if wanted & _NUMERIC else frozenset())
        self._computed |= _AT_TYPES if wanted & _AT_TYPES else frozenset()
        self._numbers = bool(self._computed & (_NUMERIC | {"street_address", "date_of_birth"}))
        self._phones: ModuleType | None = None
        if "phone" in self._computed:
            self._phones = _load_phones()
        self._regions = tuple(phone_regions) if phone_regions else self._default_regions()
        self._ner: PresidioPersonRecognizer | None = None
        if ner == "presidio" and "person" in wanted:
            self._ner = PresidioPersonRecognizer(ner_model or DEFAULT_MODEL)
        self._emails = "email" in self._computed
        self._url_credentials = "url_credentials" in self._computed
        self._secrets = "secret" in self._computed
        self._rule_names = "person" in wanted and self._ner is None
        self._cues = bool(self._computed & {"secret", "person", "date_of_birth"})
        #: the candidate-cluster search without and with a birth cue in the text
        self._candidates = (
            candidate_pattern(self._computed, False, self._rule_names),
            candidate_pattern(self._computed, "date_of_birth" in self._computed, self._rule_names),
        )
        self._cache = ResultCache(cache_size)

    def _default_regions(self) -> tuple[str, ...]:
        return tuple(self._phones.DEFAULT_REGIONS) if self._phones is not None else ()

    def detect(self, text: str) -> list[PiiSpan]:
        """Non-overlapping spans sorted by start (see :func:`resolve_overlaps`)."""
        return list(self.spans(text))

    def spans(self, text: str) -> tuple[PiiSpan, ...]:
        """:meth:`detect` as a tuple, the cached one itself: for callers that only read it."""
        if not text:
            return ()
        cache = self._cache  # ResultCache.get(), inline: most calls are hits
        cached = cache.results.get(text)
        if cached is not None:
            cache.used.add(text)
            return cached
        spans = tuple(self._detect(text))
        cache.put(text, spans)
        return spans

    def _detect(self, text: str) -> list[PiiSpan]:
        found = self._find(text)
        if not found:
            return found
        found = [s for s in found if s.score >= self.min_score]
        if len(found) > 1:
            found = resolve_overlaps(found)
        return [s for s in found if s.type in self.types]

    def detect_many(self, texts: Sequence[str]) -> list[list[PiiSpan]]:
        """:meth:`detect` for each text, in one pass: the texts (e.g. the turns of one
        conversation) not in the cache are scanned joined by a separator no pattern crosses,
        which saves the per-call cost of the gates on short texts. Offsets are relative to
        each text."""
        per_text: list[list[PiiSpan]] = []
        todo: list[int] = []
        for k, text in enumerate(texts):
            cached = self._cache.get(text) if text else ()
            per_text.append([] if cached is None else list(cached))
            if cached is None:
                todo.append(k)
        if len(todo) < 2:
            for k in todo:
                per_text[k] = self.detect(texts[k])
            return per_text
        parts = [texts[k] for k in todo]
        starts = list(accumulate((len(t) + len(SEPARATOR) for t in parts[:-1]), initial=0))
        for span in self._detect(SEPARATOR.join(parts)):
            i = bisect_right(starts, span.start) - 1
            offset = starts[i]
            if span.end <= offset + len(parts[i]):
                shifted = PiiSpan(
                    span.start - offset, span.end - offset, span.type, span.text, span.score
                )
                per_text[todo[i]].append(shifted)
        for k in todo:
            self._cache.put(texts[k], per_text[k])
        return per_text

    def contains_any(self, text: str) -> bool:
        """True when :meth:`detect` finds at least one span."""
        return bool(self.detect(text))

    def _find(self, text: str) -> list[PiiSpan]:
        """Candidate spans of every computed type, possibly overlapping."""
        scan = TextScan(text)
        found: list[PiiSpan] = []
        if "@" in text:
            if self._emails:
                found.extend(contact.find_emails(text))
            if self._url_credentials and "://" in text:
                found.extend(contact.find_url_credentials(text))
        cues = scan.cues if self._cues else _NO_CUES
        if self._secrets:
            if "_" in text or "provider" in cues or ("-" in text and "-----BEGIN" in text):
                found.extend(credentials.find_provider_tokens(scan))
            if "key" in cues or "password" in cues:
                found.extend(credentials.find_generic_secrets(scan))
        if self._numbers:
            pattern = self._candidates["birth" in cues]
            clusters = scan.candidate_clusters(pattern, self._rule_names)
            if clusters:
                self._number_spans(scan, clusters, found)
        if self._rule_names:
            if (
                scan.anchors
                or "title" in cues
                or "intro" in cues
                or "\n" in text
                or names.opens_with_greeting(scan)
            ):
                found.extend(names.find_persons(scan))
        elif self._ner is not None:
            found.extend(self._ner.find(text))
        return found

    def _number_spans(
        self, scan: TextScan, clusters: list[tuple[int, int]], found: list[PiiSpan]
    ) -> None:
        """Number-shaped types, cluster by cluster (see the module docstring): the candidate
        clusters (see :mod:`ftprep.pii.candidates`), or all of them."""
        want, text = self._computed, scan.text
        ips, ibans, streets = "ip_address" in want, "iban" in want, "street_address" in want
        ipv6_done = -1
        date_like = False
        for cs, ce in clusters:
            n_digits = scan.digits_in(cs, ce) if ce - cs > 4 else ce - cs
            if n_digits >= 4:
                date_like = date_like or n_digits <= 8
                if n_digits >= 7:
                    self._long_number(scan, cs, ce, n_digits, found)
                if ips and text.count(".", cs, ce) >= 3:
                    found.extend(numbers.find_ipv4(scan, cs, ce))
            nxt, prev = text[ce : ce + 1], text[cs - 1 : cs]
            if ips and ce > ipv6_done and (nxt == ":" or prev == ":"):
                lo, ipv6_done = max(0, cs - _IPV6_MARGIN), min(len(text), ce + _IPV6_MARGIN)
                found.extend(numbers.find_ipv6(scan, lo, ipv6_done))
            if ibans and prev.isalpha() and text[cs - 2 : cs - 1].isalpha():
                iban = numbers.find_iban(scan, cs - 2)
                if iban is not None:
                    found.append(iban)
            if streets and (nxt == " " or nxt.isalpha() or prev == " " or nxt == "\u00a0"):
                street = address.find_street_address(scan, cs, ce)
                if street is not None:
                    found.append(street)
        if date_like and "date_of_birth" in want and "birth" in scan.cues:
            found.extend(dates.find_dates_of_birth(scan))

    def _long_number(
        self, scan: TextScan, cs: int, ce: int, n_digits: int, found: list[PiiSpan]
    ) -> None:
        """Cards, SSNs and phones: clusters of seven digits or more."""
        want = self._computed
        if "credit_card" in want and n_digits >= 12:
            found.extend(numbers.find_cards(scan, cs, ce))
        if "us_ssn" in want and n_digits >= 9:
            found.extend(numbers.find_ssns(scan, cs, ce))
        if self._phones is not None:
            found.extend(self._phones.find_phones(scan, cs, ce, self._regions))


class ResultCache:
    """The results of recently used texts, at most ``size`` texts and :data:`CACHE_MAX_CHARS`
    characters (a text over an eighth of that is not kept).

    When full, the older half of the texts goes, save those hit since the last eviction, which
    move to the end instead (a "second chance", close to least-recently-used order without
    moving a text on every hit: a hit is a look-up and a set insertion). A dict keeps insertion
    order. The spans are immutable tuples: a hit hands back the cached one itself
    (:meth:`PiiDetector.spans`), and :meth:`PiiDetector.detect` copies it into a list."""

    def __init__(self, size: int) -> None:
        if size < 0:
            raise ValueError(f"cache_size must be >= 0, not {size}")
        self.size = size
        self.chars = 0
        self.results: dict[str, tuple[PiiSpan, ...]] = {}
        #: the texts hit since the last eviction, which it keeps
        self.used: set[str] = set()

    def __len__(self) -> int:
        return len(self.results)

    def get(self, text: str) -> tuple[PiiSpan, ...] | None:
        found = self.results.get(text)
        if found is not None:
            self.used.add(text)
        return found

    def put(self, text: str, spans: Sequence[PiiSpan]) -> None:
        if not self.size or len(text) > CACHE_MAX_CHARS // 8:
            return
        results = self.results
        if text in results:  # detect_many() given the same new text twice
            return
        while len(results) >= self.size or self.chars + len(text) > CACHE_MAX_CHARS:
            self._evict()  # twice at most: the second pass finds no text hit
        results[text] = tuple(spans)
        self.chars += len(text)

    def _evict(self) -> None:
        results, used = self.results, self.used
        for old in list(islice(results, max(1, len(results) // 2))):
            spans = results.pop(old)
            if old in used:
                results[old] = spans  # a second chance, at the end
            else:
                self.chars -= len(old)
        used.clear()


def _load_phones() -> ModuleType:
    try:
        from ftprep.pii import phones
    except ImportError as exc:
        raise MissingExtraError("phone detection", "pii", "phonenumbers") from exc
    return phones
