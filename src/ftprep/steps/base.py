"""The step contract: one template base per kind, each with exactly one method to implement.

- :class:`TransformStep`: ``transform(record) -> Record`` (change a record in place and return it).
- :class:`FilterStep`: ``keep(record) -> bool | Reject`` (measure, then keep or say why not).
- :class:`GlobalStep`: ``signature(record)`` per record (or ``sign(records)`` per shard), then
  ``decide`` over the whole dataset: explicit stages over plain data, so any executor can run them.
- :class:`LLMStep`: ``async process(record)`` around a chat client with cache, limits and retries.

A step is built from typed parameters (:class:`StepParams`: frozen, unknown keys rejected), has no
side effects at construction (heavy resources load in :meth:`Step.setup`, once per worker), never
reads global state and never knows which executor runs it. The docstring of a concrete step follows a
fixed layout (a summary, then ``Reads:``, ``Writes:``, ``Drops:`` paragraphs) that the step catalogue
is generated from.
"""

from __future__ import annotations

import asyncio
from bisect import bisect_right
from collections import Counter
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal, NamedTuple, overload

from pydantic import BaseModel, ConfigDict, Field

from ftprep.llm.client import ChatClient, LLMConfig, build_client, run_async
from ftprep.llm.structured import ReplyError
from ftprep.llm.types import LLMError
from ftprep.record import Record

StepKind = Literal["transform", "filter", "global", "llm"]


class StepParams(BaseModel):
    """Parameters of a step: typed, immutable, and unknown keys are an error (typos fail early)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def resolve_paths(self, base: Path) -> StepParams:
        """These parameters with relative file paths taken as relative to ``base`` (a recipe's
        folder); steps whose parameters name files override it."""
        return self


class NoParams(StepParams):
    """A step without parameters."""


#: what an expanding step (:attr:`Step.expands`) makes of one record
Expansion = list["Record | tuple[Record, Reject]"]


@dataclass(slots=True)
class Reject:
    """Why a record is dropped: a stable reason ``code``, the measured ``value`` and a ``detail``."""

    code: str
    value: Any = None
    detail: str | None = None

    def __reduce__(self) -> tuple[type[Reject], tuple[str, Any, str | None]]:
        # a constructor call: pickles several times faster than a slots dataclass's state
        return Reject, (self.code, self.value, self.detail)


@dataclass
class StepStats:
    """What one step counted and measured over some records; merged across chunks and workers."""

    counts: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    #: what a global step's decision found, as plain data (a split's sizes, leaked pairs...)
    report: dict[str, Any] = field(default_factory=dict)

    def merge(self, other: StepStats) -> None:
        self.counts.update(other.counts)
        self.warnings += other.warnings
        self.report.update(other.report)


class Step:
    """Base of every step. Subclasses set ``id``, ``Params`` and implement their kind's method."""

    id: ClassVar[str]
    kind: ClassVar[StepKind]
    Params: ClassVar[type[StepParams]] = NoParams
    #: whether the step may turn one record into several (it then returns a list: the records,
    #: and ``(record, Reject)`` pairs for variants that failed a check); the engine counts the
    #: extra ones as added
    expands: ClassVar[bool] = False

    def __init__(self, params: StepParams | dict[str, Any] | None = None, **kwargs: Any) -> None:
        if params is None or isinstance(params, dict):
            params = self.Params.model_validate({**(params or {}), **kwargs})
        elif kwargs:
            params = params.model_copy(update=kwargs)
        if not isinstance(params, self.Params):
            raise TypeError(f"{self.id}: expected {self.Params.__name__}, got {type(params)}")
        self.params = params
        self.stats = StepStats()
        self._ready = False

    def setup(self) -> None:
        """Load heavy resources (models, tables). Called once per worker before the first record."""

    def ensure_setup(self) -> None:
        if not self._ready:
            self.setup()
            self._ready = True

    def count(self, key: str, n: int = 1) -> None:
        """Add ``n`` to the counter ``key`` of this step's stats (shown in stats.json)."""
        self.stats.counts[key] += n

    def take_stats(self) -> StepStats:
        """The stats gathered since the last call, and a fresh start."""
        stats, self.stats = self.stats, StepStats()
        return stats

    def warn(self, message: str) -> None:
        """Say something the user should look at (shown after the run, kept in stats.json)."""
        self.stats.warnings.append(message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.params!r})"


class TransformStep(Step):
    """A per-record change. Implement :meth:`transform`, which returns the changed record (or, for
    a step that can also refuse a record, a :class:`Reject`)."""

    kind: ClassVar[StepKind] = "transform"

    def transform(self, record: Record) -> Record | Reject | Expansion:
        raise NotImplementedError

    def apply(self, record: Record) -> Record | Reject | Expansion:
        """:meth:`transform`, setting the step up on first use."""
        if not self._ready:
            self.ensure_setup()
        return self.transform(record)


class FilterStep(Step):
    """A per-record keep-or-drop decision. Implement :meth:`keep`.

    ``keep`` measures the record, then returns ``True`` to keep it, or ``False`` or a
    :class:`Reject` (with the reason code and the measured value) to drop it. ``False`` drops with
    :attr:`code`.
    """

    kind: ClassVar[StepKind] = "filter"
    #: the reason code used when :meth:`keep` returns ``False``
    code: ClassVar[str] = "filtered"

    def keep(self, record: Record) -> bool | Reject:
        raise NotImplementedError

    def check(self, record: Record) -> Reject | None:
        """``None`` to keep ``record``, else why not (sets the step up on first use)."""
        if not self._ready:
            self.ensure_setup()
        verdict = self.keep(record)
        if verdict is True:
            return None
        if verdict is False:
            return Reject(self.code)
        return verdict


@dataclass(frozen=True, slots=True)
class Mark:
    """A global step's note on a record it keeps: metadata keys to set (a cluster id, a split),
    and how many extra copies of it to write (upsampling); each copy's metadata also gets
    ``copy_of`` (the record's label) and ``copy`` (1, 2, ...), and its id a ``#copyN`` suffix."""

    metadata: dict[str, Any]
    copies: int = 0


class Position(NamedTuple):
    """Where a record is in a run: its shard and index there, a label for people (file:line)
    and its id (None when it has none)."""

    shard: int
    item: int
    where: str
    id: str | None = None

    @property
    def label(self) -> str:
        """How a reject names this record: its id, else where it was read."""
        return self.id if self.id is not None else self.where


class Wheres(Sequence[str]):
    """Where each record of a shard was read, as ``file:line`` labels (``#index`` for a record
    read from nowhere), made when asked for: the decision of a global step names only the
    records it drops and keeps. Kept as file names (one object per input file, which a pickle
    writes once) and line numbers: a million of them unpickle ten times faster than a million
    label strings."""

    __slots__ = ("files", "lines")

    def __init__(self, files: list[str | None], lines: list[int]) -> None:
        self.files = files
        self.lines = lines

    @classmethod
    def of(cls, records: Sequence[Record]) -> Wheres:
        files: list[str | None] = []
        lines: list[int] = []
        for record in records:
            source = record.source
            files.append(source.file if source is not None else None)
            lines.append(source.line if source is not None else 0)
        return cls(files, lines)

    def __reduce__(self) -> tuple[type[Wheres], tuple[list[str | None], list[int]]]:
        return Wheres, (self.files, self.lines)

    def __len__(self) -> int:
        return len(self.files)

    @overload
    def __getitem__(self, item: int) -> str: ...

    @overload
    def __getitem__(self, item: slice) -> list[str]: ...

    def __getitem__(self, item: int | slice) -> str | list[str]:
        if isinstance(item, slice):
            return [self[i] for i in range(*item.indices(len(self)))]
        file = self.files[item]
        return f"#{item}" if file is None else f"{file}:{self.lines[item]}"


class Signed(NamedTuple):
    """One shard's signatures as :meth:`GlobalStep.decide_shards` receives them: the shard,
    each record's label and id, and what :meth:`GlobalStep.sign` returned for the shard."""

    shard: int
    wheres: Sequence[str]
    ids: list[str | None]
    signatures: Any

    def position(self, item: int) -> Position:
        return Position(self.shard, item, self.wheres[item], self.ids[item])


class GlobalStep(Step):
    """Work that needs the whole dataset, as explicit stages over plain data.

    1. :meth:`sign` runs per shard, in parallel, where the records are (by default
       :meth:`signature` per record);
    2. :meth:`decide_shards` runs once over every shard's signatures, in input order, and yields
       the positions to drop with their :class:`Reject`, or to keep with a :class:`Mark`;
    3. the executor drops and marks them.

    Implement :meth:`signature` for record-by-record work, whose default :meth:`decide` keeps the
    first record of each signature and drops later ones as ``duplicate`` (the value names the
    record kept); or :meth:`sign` and :meth:`decide_shards` for work on whole blocks (arrays).
    """

    kind: ClassVar[StepKind] = "global"
    code: ClassVar[str] = "duplicate"

    @property
    def drops_only(self) -> bool:
        """True when the decision only drops records and changes nothing in the ones it keeps:
        the per-record steps after this one may then run ahead on every record in the same pass
        over the data (the engine discards what they did to the records dropped here), which
        saves writing every record out and reading it back. False for a step that marks."""
        return True

    @property
    def keeps_first(self) -> bool:
        """True when the decision keeps the first record of each of :meth:`sign`'s signatures
        (one per record, in order; ``None`` exempt) and drops the others (:meth:`keep_first`):
        a worker may then foresee some of it (see :mod:`ftprep.engine.foresight`)."""
        cls = type(self)
        return (
            cls.sign is GlobalStep.sign
            and cls.decide is GlobalStep.decide
            and cls.decide_shards is GlobalStep.decide_shards
        )

    def signature(self, record: Record) -> Hashable | None:
        """A value that identifies what must be compared; ``None`` exempts the record."""
        raise NotImplementedError

    def sign(self, records: list[Record]) -> Any:
        """The signatures of one shard's records (any picklable value)."""
        return [self.signature(r) for r in records]

    def decide_shards(self, shards: Iterable[Signed]) -> Iterator[tuple[Position, Reject | Mark]]:
        """The decision over every shard's signatures, given in input order."""
        if type(self).decide is GlobalStep.decide:
            yield from self.keep_first(shards)
            return

        def pairs() -> Iterator[tuple[Position, Any]]:
            for signed in shards:
                for item, sig in enumerate(signed.signatures):
                    yield signed.position(item), sig

        yield from self.decide(pairs())

    def keep_first(self, shards: Iterable[Signed]) -> Iterator[tuple[Position, Reject]]:
        """:meth:`decide` over whole shards, without a :class:`Position` for every record: each
        record is a number in input order until it turns out to repeat one (a million records
        are decided in a fraction of a second)."""
        first: dict[Hashable, int] = {}
        starts: list[int] = []  # the number of each shard's first record
        held: list[Signed] = []
        base = 0
        setdefault = first.setdefault
        for signed in shards:
            starts.append(base)
            held.append(signed)
            for index, sig in enumerate(signed.signatures, base):
                if sig is not None and setdefault(sig, index) != index:
                    kept_index = first[sig]
                    k = bisect_right(starts, kept_index) - 1
                    kept = held[k].position(kept_index - starts[k])
                    reject = Reject(self.code, value=kept.label, detail=f"kept {kept.where}")
                    yield signed.position(index - base), reject
            base += len(signed.signatures)

    def decide(
        self, signatures: Iterable[tuple[Position, Hashable | None]]
    ) -> Iterator[tuple[Position, Reject | Mark]]:
        """Keep the first record of each signature (see the class docstring); the default
        :meth:`decide_shards` runs :meth:`keep_first`, the same over whole shards."""
        first: dict[Hashable, Position] = {}
        for position, sig in signatures:
            if sig is None:
                continue
            kept = first.setdefault(sig, position)
            if kept != position:
                yield position, Reject(self.code, value=kept.label, detail=f"kept {kept.where}")


class LLMStepParams(StepParams):
    """What every LLM step has: which model answers and how it is called."""

    llm: LLMConfig = Field(
        default_factory=lambda: LLMConfig.model_validate({}),
        description="The model: provider, base_url, model, limits, retries, cache, prices "
        "(see docs/guide/llm.md).",
    )

    def resolve_paths(self, base: Path) -> LLMStepParams:
        llm = self.llm
        update: dict[str, Any] = {}
        if llm.model_path and not Path(llm.model_path).is_absolute():
            update["model_path"] = str(base / llm.model_path)
        if isinstance(llm.cache, str) and not Path(llm.cache).is_absolute():
            update["cache"] = str(base / llm.cache)
        if not update:
            return self
        return self.model_copy(update={"llm": llm.model_copy(update=update)})


class LLMStep(Step):
    """A step that asks an LLM about each record. Implement :meth:`process`, which asks
    ``self.client`` (a :class:`~ftprep.llm.ChatClient`: cache, limits and retries included) and
    returns the changed record or a :class:`Reject`.

    The base runs the records of a shard concurrently (the client's limits hold), and turns what
    the LLM layer raises into rejects, so nothing is lost: a request that failed for good is
    ``llm_error`` (the last problem in the detail); an answer that could not be parsed even after
    the re-asks is ``llm_unusable_reply`` (the raw reply as the value, the reason in the detail).
    Requests, cache hits, retries, tokens and cost are counted as ``llm.*`` in the step's stats.
    """

    kind: ClassVar[StepKind] = "llm"
    Params: ClassVar[type[StepParams]] = LLMStepParams
    params: LLMStepParams

    def __init__(
        self,
        params: StepParams | dict[str, Any] | None = None,
        *,
        client: ChatClient | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(params, **kwargs)
        self._given = client
        self.client: ChatClient | None = client

    def setup(self) -> None:
        if self.client is None:
            self.client = build_client(self.params.llm)

    async def process(self, record: Record) -> Record | Reject | Expansion:
        raise NotImplementedError

    def run_batch(self, records: list[Record]) -> list[Record | Reject | Expansion | BaseException]:
        """Every record's outcome, in order; an exception is returned, not raised."""
        self.ensure_setup()
        return run_async(self._run_batch(records))

    async def _run_batch(
        self, records: list[Record]
    ) -> list[Record | Reject | Expansion | BaseException]:
        assert self.client is not None
        client = self.client
        before = client.usage.to_dict()

        async def one(record: Record) -> Record | Reject | Expansion:
            try:
                return await self.process(record)
            except ReplyError as exc:
                return unusable_reply(exc)
            except LLMError as exc:
                return Reject("llm_error", detail=str(exc))

        try:
            return list(await asyncio.gather(*(one(r) for r in records), return_exceptions=True))
        finally:
            await client.aclose()
            self._count_usage(before, client.usage.to_dict())

    def _count_usage(self, before: dict[str, Any], after: dict[str, Any]) -> None:
        """Count what the client spent between two :meth:`Usage.to_dict` snapshots."""
        for key, value in after.items():
            if key == "errors":
                for kind, n in value.items():
                    if n - before["errors"].get(kind, 0):
                        self.count(f"llm.errors.{kind}", n - before["errors"].get(kind, 0))
            else:
                delta = value - before.get(key, 0)
                self.stats.counts[f"llm.{key}"] += round(delta, 6) if key == "cost" else delta

    def __getstate__(self) -> dict[str, Any]:  # workers build their own client from the params
        state = dict(self.__dict__)
        if self._given is None:
            state["client"] = None
            state["_ready"] = False
        return state


def unusable_reply(exc: ReplyError, what: str = "") -> Reject:
    """The reject for an answer that could not be used even after the re-asks: the raw answer
    as the value, the reason (after ``what``, when given) in the detail."""
    detail = f"{exc.reason} (after {exc.attempts} answers)"
    return Reject(
        "llm_unusable_reply", value=exc.raw[:4000], detail=f"{what}: {detail}" if what else detail
    )
