"""Every registered step, by canonical id. Adding a step means adding its class here."""

from __future__ import annotations

from ftprep.steps.base import Step
from ftprep.steps.dedup.exact import ExactDeduplicator
from ftprep.steps.filter.length import LengthFilter

STEP_CLASSES: tuple[type[Step], ...] = (
    LengthFilter,
    ExactDeduplicator,
)

STEPS: dict[str, type[Step]] = {cls.id: cls for cls in STEP_CLASSES}
