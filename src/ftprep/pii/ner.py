"""Optional NER backend for person names: Presidio's analyzer on a spaCy model.

Used only with ``PiiDetector(ner="presidio")``, by users who installed ``presidio-analyzer``
and a spaCy model (``python -m spacy download en_core_web_lg``); everything else stays
rule-based. Imports are lazy: importing :mod:`ftprep.pii` never imports spaCy.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from ftprep.errors import MissingExtraError
from ftprep.pii.spans import PiiSpan

DEFAULT_MODEL = "en_core_web_lg"


class MissingModelError(MissingExtraError):
    """The spaCy model the NER backend needs is not installed."""

    def __init__(self, model: str) -> None:
        self.extra = "pii-ner"
        Exception.__init__(
            self,
            f"ner='presidio' needs the spaCy model '{model}': python -m spacy download {model}",
        )


class _Result(Protocol):
    entity_type: str
    start: int
    end: int
    score: float


class PresidioPersonRecognizer:
    """Person names from Presidio's ``AnalyzerEngine`` with a spaCy NER model."""

    def __init__(self, model: str = DEFAULT_MODEL, language: str = "en") -> None:
        try:
            import spacy
            from presidio_analyzer import AnalyzerEngine
            from presidio_analyzer.nlp_engine import NlpEngineProvider
        except ImportError as exc:
            raise MissingExtraError(
                "NER person detection (ner='presidio')", "pii-ner", "presidio-analyzer"
            ) from exc
        if not spacy.util.is_package(model):
            raise MissingModelError(model)
        provider = NlpEngineProvider(
            nlp_configuration={
                "nlp_engine_name": "spacy",
                "models": [{"lang_code": language, "model_name": model}],
            }
        )
        self.language = language
        self._engine: Any = AnalyzerEngine(
            nlp_engine=provider.create_engine(), supported_languages=[language]
        )

    def find(self, text: str) -> list[PiiSpan]:
        results = self._engine.analyze(text=text, language=self.language, entities=["PERSON"])
        return spans_from_presidio(text, results)


def spans_from_presidio(text: str, results: Iterable[_Result]) -> list[PiiSpan]:
    """Presidio ``RecognizerResult`` objects of type PERSON as ``person`` spans."""
    return [
        PiiSpan(r.start, r.end, "person", text[r.start : r.end], float(r.score))
        for r in results
        if r.entity_type == "PERSON" and 0 <= r.start < r.end <= len(text)
    ]
