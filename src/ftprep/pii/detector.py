"""The PII detector: runs the detectors of the requested types over a text and returns
non-overlapping spans.

Detection is a cascade of gates, so that the common case, a message with no PII, costs three
scans of the text (number clusters, lower-case cue words, capitalized anchors; see
:class:`~ftprep.pii.scan.TextScan`) and a few substring tests:

- ``@`` in the text → the e-mail regex at each ``@``, URL credentials if ``://`` occurs;
- ``_`` or a provider cue (``sk-``, ``akia``, ``eyj``...) → provider token regexes; key and
  password cues → the generic-secret regex matched at each cue;
- number clusters → per cluster, only the detectors its digit count and surroundings allow
  (cards need 12+ digits, IPv4 three dots, a street number a following capitalized word...);
  checksums and ``phonenumbers`` run last, on candidates only;
- a date-like cluster and a birth cue → dates of birth; titles, listed first names,
  introduction cues and line-opening greetings → persons.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from itertools import accumulate
from types import ModuleType

from ftprep.errors import MissingExtraError
from ftprep.pii import address, contact, credentials, dates, names, numbers
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


class PiiDetector:
    """Finds PII spans in texts.

    ``types``: entity types to report (default: all of :data:`PII_TYPES`). ``ner``: how
    person names are found: ``"rules"`` (bundled rules and first-name list), ``"presidio"``
    (Presidio + a spaCy model, if installed) or ``"none"``. ``phone_regions``: regions tried,
    in order, to validate numbers written without a country code. ``min_score``: spans
    scoring below it are dropped (context-only phones score 0.6, private IPs 0.7).
    """

    def __init__(
        self,
        types: Iterable[str] | None = None,
        *,
        ner: str = "rules",
        phone_regions: Sequence[str] | None = None,
        min_score: float = 0.5,
        ner_model: str | None = None,
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

    def _default_regions(self) -> tuple[str, ...]:
        return tuple(self._phones.DEFAULT_REGIONS) if self._phones is not None else ()

    def detect(self, text: str) -> list[PiiSpan]:
        """Non-overlapping spans sorted by start (see :func:`resolve_overlaps`)."""
        if not text:
            return []
        found = self._find(text)
        if not found:
            return found
        found = [s for s in found if s.score >= self.min_score]
        if len(found) > 1:
            found = resolve_overlaps(found)
        return [s for s in found if s.type in self.types]

    def detect_many(self, texts: Sequence[str]) -> list[list[PiiSpan]]:
        """:meth:`detect` for each text, in one pass: the texts (e.g. the turns of one
        conversation) are scanned joined by a separator no pattern crosses, which saves the
        per-call cost of the gates on short texts. Offsets are relative to each text."""
        if len(texts) < 2:
            return [self.detect(t) for t in texts]
        joined = SEPARATOR.join(texts)
        starts = list(accumulate((len(t) + len(SEPARATOR) for t in texts[:-1]), initial=0))
        per_text: list[list[PiiSpan]] = [[] for _ in texts]
        for span in self.detect(joined):
            k = bisect_right(starts, span.start) - 1
            offset = starts[k]
            if span.end <= offset + len(texts[k]):
                shifted = PiiSpan(
                    span.start - offset, span.end - offset, span.type, span.text, span.score
                )
                per_text[k].append(shifted)
        return per_text

    def contains_any(self, text: str) -> bool:
        """True when :meth:`detect` finds at least one span."""
        return bool(self.detect(text))

    def _find(self, text: str) -> list[PiiSpan]:
        """Candidate spans of every computed type, possibly overlapping."""
        want = self._computed
        scan = TextScan(text)
        found: list[PiiSpan] = []
        if "@" in text:
            if "email" in want:
                found.extend(contact.find_emails(text))
            if "url_credentials" in want:
                found.extend(contact.find_url_credentials(text))
        if "secret" in want:
            found.extend(credentials.find_provider_tokens(scan))
            found.extend(credentials.find_generic_secrets(scan))
        if self._numbers and scan.clusters:
            self._number_spans(scan, found)
        if "person" in want:
            found.extend(names.find_persons(scan) if self._ner is None else self._ner.find(text))
        return found

    def _number_spans(self, scan: TextScan, found: list[PiiSpan]) -> None:
        """Number-shaped types, cluster by cluster (see the module docstring). Most clusters
        are short numbers ("2 days", "$14.99"): cheap character tests skip them."""
        want, text = self._computed, scan.text
        ips, ibans, streets = "ip_address" in want, "iban" in want, "street_address" in want
        ipv6_done = -1
        date_like = False
        for cs, ce in scan.clusters:
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


def _load_phones() -> ModuleType:
    try:
        from ftprep.pii import phones
    except ImportError as exc:
        raise MissingExtraError("phone detection", "pii", "phonenumbers") from exc
    return phones
