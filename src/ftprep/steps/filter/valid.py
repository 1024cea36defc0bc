"""``filter.valid``: drop records that ``ftprep validate`` reports errors for, for a target."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator

from ftprep.record import Record
from ftprep.steps.base import FilterStep, Reject, StepParams
from ftprep.validate.codes import CODES, ERROR, severities
from ftprep.validate.content import TEXT_CODES
from ftprep.validate.fast import ROLE_TYPES, RolesCache, all_filled, plain_texts_are_clean
from ftprep.validate.findings import Collector
from ftprep.validate.structure import check_example


class ValidParams(StepParams):
    target: Literal["openai", "axolotl", "llama-factory", "trl"] = Field(
        "openai", description="The trainer whose rules decide what an error is."
    )
    error: list[str] = Field(
        default_factory=list, description="Codes to treat as errors as well (drop)."
    )
    ignore: list[str] = Field(default_factory=list, description="Codes never to drop for.")

    @field_validator("error", "ignore")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(CODES))
        if unknown:
            raise ValueError(
                f"unknown finding code(s) {unknown}; see `ftprep validate --list-codes`"
            )
        return value


class _RecordErrors(Collector):
    """A collector that keeps the errors of the record being checked, and nothing else."""

    def __init__(self, severity: dict[str, str]) -> None:
        super().__init__(severity, file="")
        self.found: list[tuple[str, int | None, str | None, str]] = []

    def add(
        self, code: str, index: int | None = None, field: str | None = None, detail: str = ""
    ) -> None:
        if self.severity[code] == ERROR:
            self.found.append((code, index, field, detail))


class ValidFilter(FilterStep):
    """Drop records that ``ftprep validate --target TARGET`` reports an error for.

    The same checks as the validator, per record: roles and role order, content, weights, tool
    calls answered by tool messages with matching ids, arguments that parse and fit the tool's
    schema, the last turn being the assistant's where the target needs it, and the rest of
    ``ftprep validate --list-codes``. Warnings never drop a record.
    Reads: the whole record, in its OpenAI form.
    Writes: nothing.
    Drops: the first error's code (``tool_call_unanswered``, ``last_not_assistant``...), with
    every error code of the record as the value and the first error's message as the detail.
    """

    id: ClassVar[str] = "filter.valid"
    Params = ValidParams
    params: ValidParams

    def setup(self) -> None:
        p = self.params
        overrides = {code: ERROR for code in p.error}
        overrides.update({code: "off" for code in p.ignore})
        severity = severities(p.target, overrides)
        self._collector = _RecordErrors(severity)
        self._roles = RolesCache()
        #: role sequence -> whether the fast path takes it and its order has no error
        self._orderly: dict[tuple[str, ...], bool] = {}
        self._errors = frozenset(code for code, level in severity.items() if level == ERROR)
        #: whether a content check can find an error (not with the default severities)
        self._text_errors = bool(self._errors & TEXT_CODES)

    def _plainly_valid(self, record: Record) -> bool:
        """The validator's fast path: a conversation of plain string turns, nothing else, that
        certainly has no error: no blank turn, no role order that is an error, and, when a
        content check can find an error, texts the cheap tests of
        :func:`plain_texts_are_clean` find certainly clean."""
        if record.extra or record.tools is not None or record.parallel_tool_calls is not None:
            return False
        names, texts = [], []
        for m in record.messages:
            content = m.content
            if (
                type(content) is not str
                or m.tool_calls is not None
                or m.tool_call_id is not None
                or m.name is not None
                or m.extra
                or (
                    m.weight is not None
                    and (
                        m.role != "assistant" or type(m.weight) is not int or m.weight not in (0, 1)
                    )
                )
            ):
                return False
            names.append(m.role)
            texts.append(content)
        if self._text_errors:
            return plain_texts_are_clean(self._roles, names, texts)
        if not all_filled(texts):
            return False
        key = tuple(names)
        orderly = self._orderly.get(key)
        return self._learn_order(key) if orderly is None else orderly

    def _learn_order(self, names: tuple[str, ...]) -> bool:
        """Whether the role sequence ``names`` is taken by the fast path and its order has no
        error (remembered; the memory is cleared when full)."""
        try:
            key = tuple(map(ROLE_TYPES.__getitem__, names))
        except KeyError:  # a tool message, or a role the fast path does not take
            orderly = False
        else:
            orderly = not (self._roles.get(key).order_codes & self._errors)
        if len(self._orderly) >= 4096:
            self._orderly.clear()
        self._orderly[names] = orderly
        return orderly

    def keep(self, record: Record) -> bool | Reject:
        if self._plainly_valid(record):
            return True
        out = self._collector
        out.found.clear()
        facts: dict[str, Any] = {"calls": False}
        check_example(record.to_dict(), out, facts, content=self._text_errors)
        if not out.found:
            return True
        code, index, field, detail = out.found[0]
        where = f"messages[{index}]" if index is not None else ""
        where = f"{where}.{field}" if where and field else where or (field or "")
        message = CODES[code].title + (f": {detail}" if detail else "")
        return Reject(
            code,
            value=sorted({c for c, *_ in out.found}),
            detail=f"{where}: {message}" if where else message,
        )
