"""PII detection and anonymization for chat and text datasets.

    from ftprep.pii import PiiDetector, Anonymizer

    det = PiiDetector()                       # all types, rule-based person names
    spans = det.detect("Mail me at jane.doe@example.com or call +1 415 555 0123")
    Anonymizer("pseudonymize", seed=0, salt=b"...").apply(text, spans, key="conv-1")

Entity types (:data:`PII_TYPES`): email, phone, credit_card, us_ssn, iban, ip_address,
url_credentials, secret, street_address, date_of_birth, person. Phone detection needs
``phonenumbers`` and pseudonymization ``faker`` (``pip install 'ftprep[pii]'``).
"""

from ftprep.pii.anonymize import MODES, Anonymizer
from ftprep.pii.detector import NER_BACKENDS, PiiDetector
from ftprep.pii.pseudonym import SCOPES, Pseudonymizer
from ftprep.pii.scoring import TypeScore, score_spans
from ftprep.pii.spans import PII_TYPES, PiiSpan, resolve_overlaps

__all__ = [
    "MODES",
    "NER_BACKENDS",
    "PII_TYPES",
    "SCOPES",
    "Anonymizer",
    "PiiDetector",
    "PiiSpan",
    "Pseudonymizer",
    "TypeScore",
    "resolve_overlaps",
    "score_spans",
]
