"""``pii.redact``: find PII in every turn and replace it, or drop the record."""

from __future__ import annotations

import os
from collections import Counter
from typing import ClassVar, Literal

from pydantic import Field, field_validator

from ftprep.errors import FtprepError
from ftprep.pii import PII_TYPES, Anonymizer, PiiDetector, PiiSpan
from ftprep.record import Record
from ftprep.steps.base import Reject, StepParams, TransformStep
from ftprep.steps.text import map_texts


class PiiParams(StepParams):
    types: list[str] = Field(
        default_factory=lambda: list(PII_TYPES),
        description="PII types to act on: " + ", ".join(PII_TYPES) + ".",
    )
    mode: Literal["redact", "mask", "hash", "pseudonymize", "drop"] = Field(
        "redact",
        description="`redact`: a typed placeholder such as [EMAIL]; `mask`: letters and digits "
        "to *; `hash`: a salted hash; `pseudonymize`: a consistent fake value; `drop`: reject "
        "the record.",
    )
    roles: list[str] | None = Field(
        None, description="Roles whose texts are scanned (default: every role and plain text)."
    )
    tool_arguments: bool = Field(True, description="Scan tool-call arguments too.")
    scope: Literal["conversation", "dataset"] = Field(
        "conversation",
        description="pseudonymize: the same value gets the same fake within a conversation, or "
        "across the whole dataset.",
    )
    ner: Literal["rules", "presidio", "none"] = Field(
        "rules",
        description="Person names: bundled rules, Presidio with a spaCy model (ftprep[pii]), "
        "or none.",
    )
    min_score: float = Field(0.5, ge=0, le=1, description="Drop detections scoring below this.")
    phone_regions: list[str] | None = Field(
        None, description="Regions tried for phone numbers without a country code."
    )
    locale: str = Field("en_US", description="Faker locale of fake names and addresses.")
    salt_env: str = Field(
        "FTPREP_PII_SALT",
        description="Environment variable holding the secret salt of hash and pseudonym values "
        "(required by mode hash; never written anywhere).",
    )
    seed: int = Field(0, description="Seed of the fake values.")

    @field_validator("types")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(PII_TYPES))
        if unknown:
            raise ValueError(f"unknown PII type(s) {unknown}; known: {', '.join(PII_TYPES)}")
        return value


class PiiRedactor(TransformStep):
    """Find emails, phones, cards, SSNs, IBANs, IPs, credentials, secrets, addresses, dates of
    birth and names in every turn, and replace them (or drop the record).

    Reads: the texts of the messages of ``roles`` (all by default), tool-call arguments, a
    plain-text record's text. The key of a conversation for consistent pseudonyms is the record's
    id, else its input file and line.
    Writes: the texts, with each PII span replaced; counts per type in the stats (``pii.email``...).
    Drops: ``pii_found`` in mode ``drop`` only, with the counts per type as the value.
    """

    id: ClassVar[str] = "pii.redact"
    Params = PiiParams
    params: PiiParams

    def setup(self) -> None:
        p = self.params
        salt = os.environ.get(p.salt_env, "")
        if p.mode == "hash" and not salt:
            raise FtprepError(
                f"pii.redact mode hash needs a secret salt in the environment variable "
                f"{p.salt_env} (unsalted hashes of phone numbers and SSNs can be reversed)"
            )
        self._detector = PiiDetector(
            p.types, ner=p.ner, min_score=p.min_score, phone_regions=p.phone_regions
        )
        self._anonymizer = (
            None
            if p.mode == "drop"
            else Anonymizer(p.mode, seed=p.seed, salt=salt, scope=p.scope, locale=p.locale)
        )

    def transform(self, record: Record) -> Record | Reject:
        spans_of, anonymizer = self._detector.spans, self._anonymizer
        hits: list[tuple[PiiSpan, ...]] = []  # the spans of each text that holds PII
        key: str | None = None  # the conversation's, made only when a text holds PII

        def rewrite(text: str) -> str:
            nonlocal key
            spans = spans_of(text)
            if not spans:
                return text
            hits.append(spans)
            if anonymizer is None:
                return text
            if key is None:
                key = record.id or (str(record.source) if record.source else "")
            return anonymizer.apply(text, spans, key)

        map_texts(record, rewrite, self.params.roles)
        if self.params.tool_arguments:
            for message in record.messages:
                for call in message.tool_calls or ():
                    call.arguments = rewrite(call.arguments)
        if not hits:
            return record
        found = Counter(span.type for spans in hits for span in spans)
        self.count("records_with_pii")
        for kind, n in found.items():
            self.count(f"pii.{kind}", n)
        if self.params.mode == "drop":
            return Reject("pii_found", value=dict(sorted(found.items())))
        return record
