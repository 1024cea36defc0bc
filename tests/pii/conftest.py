"""Shared fixtures for the PII tests."""

from __future__ import annotations

import pytest

from ftprep.pii import PiiDetector


@pytest.fixture(scope="session")
def detector() -> PiiDetector:
    pytest.importorskip("phonenumbers")  # the pii extra
    return PiiDetector()


def found(detector: PiiDetector, text: str) -> list[tuple[str, str]]:
    """(type, text) of every detected span."""
    return [(s.type, s.text) for s in detector.detect(text)]
