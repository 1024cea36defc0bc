"""``filter.metadata``: keep the records whose metadata satisfies an expression."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field, field_validator

from ftprep.record import Record
from ftprep.steps.base import FilterStep, Reject, StepParams
from ftprep.steps.filter.expr import compile_expr


class MetadataParams(StepParams):
    expr: str = Field(
        description='A condition on the metadata, e.g. `rating >= 4 and status == "resolved" '
        'and created_at >= "2024-01-01"`: comparisons, and/or/not, lists, dotted fields, '
        "len(x), lower(x), exists(field); a missing field is null and compares false."
    )

    @field_validator("expr")
    @classmethod
    def _compiles(cls, value: str) -> str:
        compile_expr(value)  # an ExprError (a ValueError) names the column at fault
        return value


class MetadataFilter(FilterStep):
    """Keep records whose metadata satisfies ``expr``; see :mod:`ftprep.steps.filter.expr`.

    The expression is parsed and compiled once, when the recipe is validated; a syntax error names
    the expression and the column. Dates written as ISO strings compare as dates.

    Reads: ``record.metadata`` (the fields the expression names) and the record's ``id``.
    Writes: nothing; counts ``missing_field:NAME`` for each field missing from a dropped record.
    Drops: ``metadata_mismatch``: the expression is false; the value maps each field the
    expression reads to its value (null when missing).
    """

    id: ClassVar[str] = "filter.metadata"
    Params = MetadataParams
    params: MetadataParams
    code: ClassVar[str] = "metadata_mismatch"

    def __init__(self, params: StepParams | dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(params, **kwargs)
        self._expr = compile_expr(self.params.expr)  # cached: the validator compiled it already

    def keep(self, record: Record) -> bool | Reject:
        if self._expr.matches(record):
            return True
        values = self._expr.values(record)
        for name, value in values.items():
            if value is None:
                self.count(f"missing_field:{name}")
        return Reject(self.code, value=values, detail=f"false: {self._expr.source}")
