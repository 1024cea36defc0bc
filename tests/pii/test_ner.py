from dataclasses import dataclass

import pytest

from ftprep.errors import MissingExtraError
from ftprep.pii import PiiDetector
from ftprep.pii.ner import MissingModelError, spans_from_presidio


@dataclass
class FakeResult:
    """The four fields of presidio's RecognizerResult that the backend reads."""

    entity_type: str
    start: int
    end: int
    score: float


def test_presidio_results_become_person_spans() -> None:
    text = "Ask Jane Doe about it"
    results = [
        FakeResult("PERSON", 4, 12, 0.85),
        FakeResult("LOCATION", 0, 3, 0.9),
        FakeResult("PERSON", 18, 99, 0.5),  # out of range: dropped
    ]
    (span,) = spans_from_presidio(text, results)
    assert (span.start, span.end, span.type, span.text, span.score) == (
        4,
        12,
        "person",
        "Jane Doe",
        0.85,
    )


def test_presidio_backend_fails_at_construction_with_an_install_hint() -> None:
    try:
        import presidio_analyzer  # noqa: F401
        import spacy
    except ImportError:
        with pytest.raises(MissingExtraError, match="pip install"):
            PiiDetector(ner="presidio")
        return
    if spacy.util.is_package("en_core_web_lg"):
        pytest.skip("a spaCy model is installed: the backend would load")
    with pytest.raises(MissingModelError, match="python -m spacy download en_core_web_lg"):
        PiiDetector(ner="presidio")


def test_presidio_backend_not_loaded_without_person() -> None:
    assert PiiDetector(types=["email"], ner="presidio").detect("a@b.io")[0].type == "email"
