"""``filter.length``: bounds on the length of texts, in characters or tokens, per role."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, model_validator

from ftprep.record import Record
from ftprep.steps.base import FilterStep, Reject, StepParams
from ftprep.steps.text import iter_texts
from ftprep.tokens import load_counter


class LengthParams(StepParams):
    roles: list[str] = Field(
        default_factory=lambda: ["assistant"],
        description="Roles whose texts are measured (`text` for plain-text records).",
    )
    unit: Literal["chars", "tokens"] = Field("chars", description="What is counted.")
    tokenizer: str | None = Field(
        None,
        description="With unit tokens: a tokenizer.json path, a model directory or "
        "tiktoken:NAME; default: the approximate counter.",
    )
    min: int = Field(1, ge=0, description="Fewest units a measured text may have.")
    max: int | None = Field(None, ge=1, description="Most units a measured text may have.")
    scope: Literal["message", "total"] = Field(
        "message",
        description="`message`: every measured text must fit; `total`: their sum must fit.",
    )

    @model_validator(mode="after")
    def _bounds(self) -> LengthParams:
        if self.max is not None and self.max < self.min:
            raise ValueError(f"max ({self.max}) is less than min ({self.min})")
        return self


class LengthFilter(FilterStep):
    """Drop records whose texts are too short or too long for the selected roles.

    Reads: the texts of the messages of ``roles`` (strings and text parts; a plain-text
    record's ``text`` as role ``text``). A record with no text of those roles is kept.
    Writes: nothing.
    Drops: ``too_short`` and ``too_long``, with the measured length as the value.
    """

    id: ClassVar[str] = "filter.length"
    Params = LengthParams
    params: LengthParams

    def setup(self) -> None:
        counter = load_counter(self.params.tokenizer) if self.params.unit == "tokens" else None
        self._measure = counter.count if counter is not None else len

    def keep(self, record: Record) -> bool | Reject:
        p = self.params
        sizes = [self._measure(text) for _, text in iter_texts(record, p.roles)]
        if not sizes:
            return True
        if p.scope == "total":
            sizes = [sum(sizes)]
        low, high = min(sizes), max(sizes)
        if low < p.min:
            return Reject("too_short", value=low, detail=f"{low} {p.unit} < min {p.min}")
        if p.max is not None and high > p.max:
            return Reject("too_long", value=high, detail=f"{high} {p.unit} > max {p.max}")
        return True
