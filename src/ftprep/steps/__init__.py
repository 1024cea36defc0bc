"""Steps: the units a pipeline is made of, one per file, grouped by kind of work.

``clean/`` normalises text, ``filter/`` keeps or drops records, ``pii/`` finds and replaces
personal data, ``dedup/`` removes repeats. :data:`STEPS` maps each canonical id to its class.
"""

from ftprep.steps.base import (
    FilterStep,
    GlobalStep,
    LLMStep,
    Mark,
    Position,
    Reject,
    Signed,
    Step,
    StepParams,
    StepStats,
    TransformStep,
)
from ftprep.steps.catalog import STEPS
from ftprep.steps.registry import StepInfo, UnknownStepError, describe, lookup


def get_step(step_id: str) -> type[Step]:
    """The step class registered as ``step_id``; :class:`UnknownStepError` names close matches."""
    return lookup(STEPS, step_id)


__all__ = [
    "STEPS",
    "FilterStep",
    "GlobalStep",
    "LLMStep",
    "Mark",
    "Position",
    "Reject",
    "Signed",
    "Step",
    "StepInfo",
    "StepParams",
    "StepStats",
    "TransformStep",
    "UnknownStepError",
    "describe",
    "get_step",
]
