"""Fewer garbage collections in the hot loops.

CPython's cycle collector runs a young-generation pass every 700 net container allocations, and
every such pass walks all the young objects. Decoding JSON allocates a dict or a list per object
and array, so a loop over millions of records triggers hundreds of thousands of passes that find
nothing: decoded JSON holds no reference cycles. :func:`fewer_collections` raises the first
threshold for the length of a loop (collections still happen, far less often, so memory stays
bounded even if a step does build cycles) and puts back the old thresholds afterwards.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

#: the young-generation threshold inside a hot loop (CPython's default is 700)
HOT_LOOP_THRESHOLD = 100_000


@contextmanager
def fewer_collections(threshold: int = HOT_LOOP_THRESHOLD) -> Iterator[None]:
    """Raise the young-generation GC threshold to ``threshold`` inside the block."""
    old = gc.get_threshold()
    gc.set_threshold(max(threshold, old[0]), *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)
