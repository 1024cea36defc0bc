"""``filter.language``: keep the records written in an allowed language (py3langid, offline)."""

from __future__ import annotations

import functools
import importlib.util
import re
from typing import Any, ClassVar, Protocol

from pydantic import Field, field_validator

from ftprep.errors import MissingExtraError
from ftprep.record import Record
from ftprep.steps.base import FilterStep, Reject, StepParams
from ftprep.steps.clean.whitespace import split_code
from ftprep.steps.text import iter_texts

_CODE = re.compile(r"^[a-z]{2,3}$")
#: links and e-mail addresses say nothing about the language around them
_NOISE = re.compile(r"\S+@\S+|https?://\S+|www\.\S+")


class _Identifier(Protocol):
    labels: list[str]

    def classify(self, text: str) -> tuple[str, float]: ...


@functools.cache
def _load_identifier() -> _Identifier:
    """py3langid's model (0.7 s to load), once per process: it is read-only once loaded."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier: _Identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return identifier


class LanguageParams(StepParams):
    allowed: list[str] = Field(
        default_factory=lambda: ["en"],
        min_length=1,
        description="Languages kept, as ISO 639-1 codes (ISO 639-3 where there is none).",
    )
    roles: list[str] = Field(
        default_factory=lambda: ["user", "assistant"],
        description="Roles whose texts are joined and measured (`text` for plain-text records).",
    )
    min_confidence: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Confidence the detector needs to drop a record; a less certain verdict "
        "keeps it (counted as `uncertain`).",
    )
    min_chars: int = Field(
        20,
        ge=0,
        description="Fewest letters (after removing code, links and e-mail addresses) for a "
        "record to be judged; shorter ones are kept.",
    )
    max_chars: int = Field(
        2000, ge=1, description="Characters of the joined text given to the detector, at most."
    )
    set_metadata: bool = Field(
        True, description="Write the detected language to `metadata.lang` when it is certain."
    )

    @field_validator("allowed")
    @classmethod
    def _codes(cls, value: list[str]) -> list[str]:
        codes = [code.strip().lower() for code in value]
        bad = [code for code in codes if not _CODE.match(code)]
        if bad:
            raise ValueError(f"not ISO 639 language codes: {', '.join(map(repr, bad))}")
        return codes


class LanguageFilter(FilterStep):
    """Drop records confidently written in a language that is not allowed.

    The texts of ``roles`` are joined, stripped of fenced and inline code, links and e-mail
    addresses, cut to ``max_chars`` and identified with py3langid (its model ships in the package;
    nothing is downloaded). Too little text, or an uncertain verdict, keeps the record: a code-only
    answer or a "thanks!" is not a reason to drop a conversation.

    Reads: the texts of ``roles`` (strings and text parts; a plain-text record's text as role
    ``text``).
    Writes: ``metadata.lang`` (with ``set_metadata``, when the verdict is certain); counts
    ``lang:CODE`` per certain verdict, ``too_short`` and ``uncertain``.
    Drops: ``language_not_allowed``, with ``{"lang": ..., "confidence": ...}`` as the value.
    """

    id: ClassVar[str] = "filter.language"
    Params = LanguageParams
    params: LanguageParams
    code: ClassVar[str] = "language_not_allowed"

    def __init__(self, params: StepParams | dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(params, **kwargs)
        if importlib.util.find_spec("py3langid") is None:
            raise MissingExtraError("filter.language", "lang", "py3langid")
        self._allowed = frozenset(self.params.allowed)

    def setup(self) -> None:
        identifier = _load_identifier()
        unknown = sorted(self._allowed - set(identifier.labels))
        if unknown:
            raise ValueError(
                f"{self.id}: the detector does not know {', '.join(unknown)}; "
                f"it knows {', '.join(sorted(identifier.labels))}"
            )
        self._identifier = identifier

    def keep(self, record: Record) -> bool | Reject:
        sample = self.sample(record)
        if sum(map(str.isalpha, sample)) < self.params.min_chars:
            self.count("too_short")
            return True
        lang, confidence = self._identifier.classify(sample)
        if confidence < self.params.min_confidence:
            self.count("uncertain")
            return True
        self.count(f"lang:{lang}")
        if self.params.set_metadata:
            record.metadata["lang"] = lang
        if lang in self._allowed:
            return True
        value = {"lang": lang, "confidence": round(confidence, 3)}
        return Reject(self.code, value=value, detail=f"{lang} is not in {sorted(self._allowed)}")

    def sample(self, record: Record) -> str:
        """The text judged: the texts of ``roles`` without code, links and e-mail addresses,
        joined by blank lines and cut to ``max_chars``."""
        limit = self.params.max_chars
        parts: list[str] = []
        size = 0
        for _, text in iter_texts(record, self.params.roles):
            if "`" in text or "~~~" in text:
                text = " ".join(piece for piece, code in split_code(text) if not code)
            if "@" in text or "http" in text or "www." in text:
                text = _NOISE.sub(" ", text)
            parts.append(text[: limit - size])
            size += len(parts[-1]) + 2
            if size >= limit:
                break
        return "\n\n".join(parts)
