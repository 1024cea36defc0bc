"""The one registry of steps: a canonical id per step class, and what the catalogue shows of it.

Steps are listed explicitly in :mod:`ftprep.steps.catalog`; nothing registers itself on import.
"""

from __future__ import annotations

import difflib
import inspect
import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from ftprep.errors import FtprepError
from ftprep.steps.base import Step

_SECTION = re.compile(r"^(Reads|Writes|Drops):\s*", re.MULTILINE)


class UnknownStepError(FtprepError):
    """A step id that is not in the registry; the message suggests the closest ids."""


@dataclass(frozen=True)
class ParamInfo:
    name: str
    type: str
    default: Any
    required: bool
    description: str


@dataclass(frozen=True)
class StepInfo:
    """What ``ftprep steps show`` prints and the step catalogue is generated from."""

    id: str
    kind: str
    summary: str
    reads: str
    writes: str
    drops: str
    params: tuple[ParamInfo, ...]
    schema: dict[str, Any]

    @property
    def headline(self) -> str:
        """The summary's first sentence."""
        first, dot, _ = self.summary.partition(". ")
        return first + "." if dot else self.summary


def lookup(registry: dict[str, type[Step]], step_id: str) -> type[Step]:
    try:
        return registry[step_id]
    except KeyError:
        close = difflib.get_close_matches(step_id, list(registry), n=3, cutoff=0.5)
        hint = f"; did you mean {' or '.join(close)}?" if close else "; see `ftprep steps list`"
        raise UnknownStepError(f"unknown step {step_id!r}{hint}") from None


def describe(cls: type[Step]) -> StepInfo:
    """The catalogue entry of a step class, from its docstring's fixed layout and its Params."""
    doc = inspect.cleandoc(cls.__doc__ or "")
    parts = _SECTION.split(doc)
    summary = " ".join(parts[0].split())
    sections = {parts[i]: " ".join(parts[i + 1].split()) for i in range(1, len(parts) - 1, 2)}
    params = []
    for name, info in cls.Params.model_fields.items():
        required = info.is_required()
        params.append(
            ParamInfo(
                name=name,
                type=_type_name(info.annotation),
                default=None if required else _plain(info.get_default(call_default_factory=True)),
                required=required,
                description=info.description or "",
            )
        )
    return StepInfo(
        id=cls.id,
        kind=cls.kind,
        summary=summary,
        reads=sections.get("Reads", ""),
        writes=sections.get("Writes", ""),
        drops=sections.get("Drops", "nothing"),
        params=tuple(params),
        schema=cls.Params.model_json_schema(),
    )


def _type_name(annotation: Any) -> str:
    text = getattr(annotation, "__name__", None) if isinstance(annotation, type) else None
    text = text or str(annotation)
    return text.replace("typing.", "").replace("NoneType", "None")


def _plain(value: Any) -> Any:
    """A default as plain data (a nested parameter model as its fields)."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
