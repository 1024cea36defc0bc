"""What every augmentation step shares: a variant that names its parent, and the check that it
is as valid as real data."""

from __future__ import annotations

import hashlib
import random
from typing import Any

from ftprep.record import Record
from ftprep.steps.base import Expansion, Reject
from ftprep.steps.filter.valid import ValidFilter


def variant_rng(seed: int, record: Record, k: int) -> random.Random:
    """The random draws of the ``k``-th variant of ``record``: the same for the same seed and
    record whatever the worker, the shard or the order."""
    key = f"{seed}\x00{record.label}\x00{k}".encode()
    return random.Random(hashlib.blake2b(key, digest_size=8).digest())


def variant(record: Record, kind: str, k: int, info: dict[str, Any]) -> Record:
    """A copy of ``record`` as the ``k``-th (1-based) ``kind`` variant: its id gets a
    ``#kind-k`` suffix, its metadata ``parent_id`` (so splits keep it with its parent) and
    ``augment`` = {kind, ...``info``}."""
    copy = record.clone()
    if record.id is not None:
        copy.id = f"{record.id}#{kind}-{k}"
    copy.metadata["parent_id"] = record.label
    copy.metadata["augment"] = {"kind": kind, **info}
    return copy


class VariantCheck:
    """The validator's errors for the default target, as for real data (``filter.valid``)."""

    def __init__(self) -> None:
        self._valid = ValidFilter()
        self._valid.ensure_setup()

    def __call__(self, original: Record, variants: list[Record], keep_original: bool) -> Expansion:
        """The original (with ``keep_original``) and each variant, or ``(variant, Reject)``."""
        out: Expansion = [original] if keep_original else []
        for v in variants:
            problem = self._valid.check(v)
            if problem is None:
                out.append(v)
            else:
                detail = f"the variant is not valid: {problem.detail or problem.code}"
                out.append((v, Reject("augment_invalid", value=problem.code, detail=detail)))
        return out
