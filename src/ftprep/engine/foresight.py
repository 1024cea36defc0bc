"""What a worker can tell of a keep-first decision before it is made.

When the last global step keeps the first record of each signature (``dedup.exact`` with
``keep: first``, and every step on :meth:`GlobalStep.keep_first`) and the steps after it run
ahead (see :attr:`Pipeline.tail_render`), a worker renders every record before the decision,
keeping for each its canonical line in case the decision drops it. Yet the worker knows the
signatures of the shards it signed itself and of those the other workers signed already (their
signature files are on disk):

- a record whose signature came earlier, in its own shard or in an earlier shard it knows, is
  surely dropped: the steps after the decision need not run on it, nor the writers;
- a record whose signature did not come earlier, when the worker knows *every* earlier shard,
  is surely kept: its canonical line is never needed.

A foresight is only a shortcut: the decision is made as always, over every shard's
signatures, and the last pass checks that it agrees (:func:`check_foresight`). What a shard's
staged files hold then depends on which shards the same process signed before, but never the
run's outputs, rejects or counts.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Sequence

#: at most this many signatures are remembered by all the workers of a run together (about
#: 100 bytes each: memory stays bounded whatever the input); past a worker's share, only the
#: records of signatures already remembered are foreseen
BUDGET = 2_000_000

#: what a foresight says of a record: dropped, kept, or unknown
DROP, KEEP, UNKNOWN = 1, 0, -1


class Foresight:
    """The signatures one process knows for one keep-first global step: those of the shards it
    signed, and those of the shards other processes signed that it read (:meth:`catch_up`)."""

    def __init__(self, limit: int = BUDGET) -> None:
        self.limit = limit
        #: signature -> the first shard known to hold it
        self.firsts: dict[Hashable, int] = {}
        self.known: set[int] = set()
        #: every shard below this one is known
        self.complete_below = 0
        #: some signature could not be remembered: no record is surely kept any more
        self.full = False

    def catch_up(self, shard: int, read: Callable[[int], Sequence[Hashable | None] | None]) -> None:
        """Learn the signatures of the shards before ``shard`` that are not known yet and that
        ``read`` gives (None: not signed yet)."""
        for earlier in range(self.complete_below, shard):
            if earlier not in self.known:
                signatures = read(earlier)
                if signatures is not None:
                    self.foresee(earlier, signatures)

    def foresee(self, shard: int, signatures: Sequence[Hashable | None]) -> list[int]:
        """:data:`DROP`, :data:`KEEP` or :data:`UNKNOWN` for each record of ``shard``, whose
        signatures are given in order (``None``: exempt, always kept); the signatures are
        learnt."""
        firsts, limit = self.firsts, self.limit
        complete = self.complete_below >= shard and not self.full
        fresh = KEEP if complete else UNKNOWN
        out: list[int] = []
        for sig in signatures:
            if sig is None:
                out.append(KEEP)
                continue
            seen = firsts.get(sig)
            if seen is not None and seen <= shard:
                out.append(DROP)  # an earlier shard, or earlier in this one
                continue
            if seen is not None or len(firsts) < limit:
                firsts[sig] = shard
            else:
                self.full = True
                fresh = UNKNOWN
            out.append(fresh)
        self.known.add(shard)
        while self.complete_below in self.known:
            self.complete_below += 1
        return out

    def refine(
        self, shard: int, signatures: Sequence[Hashable | None], fates: list[int]
    ) -> list[int]:
        """``fates`` (from :meth:`foresee` on ``shard``) with the unknown ones settled where
        what was learnt since allows (after a :meth:`catch_up`: the shards other processes
        signed meanwhile)."""
        complete = self.complete_below >= shard and not self.full
        out = list(fates)
        for i, fate in enumerate(fates):
            if fate != UNKNOWN:
                continue
            seen = self.firsts.get(signatures[i])
            if seen is not None and seen < shard:
                out[i] = DROP
            elif seen == shard and complete:  # the first in this shard (the others: DROP)
                out[i] = KEEP
        return out


#: the foresights of this process, by global step name (reset by :func:`reset`)
_FORESIGHTS: dict[str, Foresight] = {}
#: how many signatures each foresight of this process may remember
_LIMIT = [BUDGET]


def foresight(name: str) -> Foresight:
    found = _FORESIGHTS.get(name)
    if found is None:
        found = _FORESIGHTS[name] = Foresight(_LIMIT[0])
    return found


def reset(workers: int = 1) -> None:
    """Forget every signature: a new run (or a new worker process) starts, one of ``workers``
    that share the :data:`BUDGET`."""
    _FORESIGHTS.clear()
    _LIMIT[0] = BUDGET // max(1, workers)


def check_foresight(
    step: str, shard: int, dropped: Sequence[int], kept: Sequence[int], drops: Collection[int]
) -> None:
    """Raise when the decision on ``shard`` disagrees with what a worker foresaw: its ``drops``
    must hold every record in ``dropped`` (not run ahead) and none in ``kept`` (whose canonical
    lines were not kept)."""
    missed = [i for i in dropped if i not in drops]
    wrong = [i for i in kept if i in drops]
    if missed or wrong:
        raise RuntimeError(
            f"internal error: the decision of {step} on shard {shard} disagrees with what its "
            f"workers foresaw (kept {missed[:5]}, dropped {wrong[:5]}); please report it"
        )
