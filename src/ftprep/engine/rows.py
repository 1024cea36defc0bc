"""What a shard run writes and reads back: record rows, reject lines, rendered records.

The engine hands records between passes and processes as bytes: JSON lines of records with their
provenance (:func:`dump_records`, :func:`load_records`), reject lines (:func:`reject_entry`), and
:class:`Rendered` records (output rows, plus what steps run ahead of a decision did to them) and
their :class:`Staged` form on disk.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

import orjson

from ftprep.engine.files import write_atomic, write_pickle
from ftprep.engine.foresight import DROP, KEEP
from ftprep.formats import Unconvertible
from ftprep.io.jsonencode import dumps_bytes
from ftprep.record import Provenance, Record
from ftprep.steps import Reject


class Fate(NamedTuple):
    """How a record run ahead of a global step's decision was rejected (see ``_run_ahead``)."""

    #: the index of the step that rejected it in the last segment (its length: the writer)
    step: int
    code: str
    #: its rejects line
    entry: bytes
    #: with ``on_error: fail``, the failure to raise if the global step keeps the record
    failure: str


class Ahead(NamedTuple):
    """What the steps run ahead of a global step's decision did to one record."""

    fate: Fate | None
    #: ``(step index, counts)`` for each step that counted something for the record
    counts: tuple[tuple[int, dict[str, int]], ...]


class Rendered(NamedTuple):
    """A record ready for the outputs: where it came from, its canonical line (when a global
    step decides after rendering; empty when it is the first output's row), its output rows,
    what they could not hold, and what steps run ahead did to it."""

    file: str | None
    line: int | None
    canonical: bytes
    rows: tuple[bytes, ...]
    losses: tuple[dict[str, int], ...] | None
    ahead: Ahead | None = None


class Staged(NamedTuple):
    """The rendered records of a shard between the two passes of a tail render, by column
    (a few lists pickle much faster than a tuple per record): their rows wait in one file per
    output, of which this holds the lengths."""

    files: list[str | None]
    lines: list[int | None]
    #: per output, the length of each record's row (0: the output does not take it)
    lengths: list[list[int]]
    #: record index -> its canonical line, where it is not the first output's row
    canonical: dict[int, bytes]
    #: record index -> what its rows could not hold
    losses: dict[int, tuple[dict[str, int], ...]]
    #: record index -> what the steps run ahead did to it (an :class:`Ahead` as plain tuples)
    ahead: dict[int, Any]
    #: the records the worker foresaw the decision dropping (not run ahead, no rows) and
    #: keeping (no canonical line); see :mod:`ftprep.engine.foresight`
    foreseen_drops: list[int]
    foreseen_keeps: list[int]
    #: per step run ahead, what it counted for the records foreseen kept, summed
    counted: list[dict[str, int]]


def plain_ahead(ahead: Ahead) -> Any:
    """``ahead`` as plain tuples, which pickle several times faster than named tuples."""
    return (None if ahead.fate is None else tuple(ahead.fate), ahead.counts)


def unplain_ahead(plain: Any) -> Ahead:
    fate, counts = plain
    return Ahead(None if fate is None else Fate(*fate), counts)


def keep_rows(data: bytes, lengths: list[int], ends: list[int], kept: list[int]) -> bytes:
    """The rows of ``kept`` records out of ``data``, the rows of all of them back to back (of
    ``lengths``, ending at ``ends``): copied a run of consecutive kept records at a time."""
    pieces = []
    run_start = run_end = -1
    for i in kept:
        start = ends[i] - lengths[i]
        if start != run_end:
            if run_end > run_start:
                pieces.append(data[run_start:run_end])
            run_start = start
        run_end = ends[i]
    if run_end > run_start:
        pieces.append(data[run_start:run_end])
    return b"".join(pieces)


def stage(
    path: Path,
    outputs: int,
    rendered: list[Rendered],
    foreseen: list[int] | None,
    counted: list[dict[str, int]],
) -> None:
    """Keep a shard's rendered records until the decision: each of the ``outputs``' rows in a
    file of their own beside ``path`` (``.pre0``, ``.pre1``...), the rest by column at ``path``
    (see :class:`Staged`), with what the steps ``counted`` for the records surely kept."""
    none = (b"",) * outputs  # the rows of a record not rendered (rejected or foreseen dropped)
    rows = [r.rows or none for r in rendered]
    lengths = []
    for k in range(outputs):
        mine = [r[k] for r in rows]
        write_atomic(path.with_suffix(f".pre{k}"), b"".join(mine))
        lengths.append(list(map(len, mine)))
    staged = Staged(
        [r.file for r in rendered],
        [r.line for r in rendered],
        lengths,
        {i: r.canonical for i, r in enumerate(rendered) if r.canonical},
        {i: r.losses for i, r in enumerate(rendered) if r.losses},
        {i: plain_ahead(r.ahead) for i, r in enumerate(rendered) if r.ahead is not None},
        [i for i, f in enumerate(foreseen) if f == DROP] if foreseen else [],
        [i for i, f in enumerate(foreseen) if f == KEEP] if foreseen else [],
        counted,
    )
    write_pickle(path, tuple(staged))


def resettled(rendered: list[Rendered], before: list[int], after: list[int]) -> list[Rendered]:
    """The rendered records once more fates were foreseen after the run ahead (``before`` ->
    ``after``): one now surely dropped keeps only its canonical line, so that the staged rows
    hold only what the output will (see :mod:`ftprep.engine.join`); one surely kept needs no
    canonical line."""
    out = list(rendered)
    for i, (old, new) in enumerate(zip(before, after, strict=True)):
        if old == new:
            continue
        r = rendered[i]
        if new == DROP:  # (what the steps run ahead did to it no longer counts)
            out[i] = Rendered(r.file, r.line, r.canonical or r.rows[0], (), None)
        else:
            out[i] = r._replace(canonical=b"")
    return out


def gate_rejects(
    step: str, drops: dict[int, Any], staged: Staged, rows: bytes, ends: list[int]
) -> list[bytes]:
    """The rejects lines of the records the decision of ``step`` drops (``drops``, by index, in
    index order): their canonical line, or else the first output's row (out of its staged
    ``rows``, which end at ``ends``), as the record."""
    lengths = staged.lengths[0]
    out = []
    for i in sorted(drops):
        line = staged.canonical.get(i) or rows[ends[i] - lengths[i] : ends[i]]
        reject = drops[i]
        assert isinstance(reject, Reject)
        out.append(entry(step, reject, staged.files[i], staged.lines[i], orjson.loads(line)))
    return out


def dump_records(records: list[Record]) -> bytes:
    """Records as JSON lines that :func:`load_records` reads back with provenance and hints."""
    out = []
    for r in records:
        src = r.source
        row = [r.to_dict(), src.file if src else None, src.line if src else None, r.hints or None]
        out.append(dump(row))
    return b"".join(out)


def load_records(path: Path) -> list[Record]:
    records = []
    with open(path, "rb") as file:
        for line in file:
            row, name, number, hints = orjson.loads(line)
            record = Record.from_dict(row, None if name is None else Provenance(name, number))
            if hints:
                record.hints = hints
            records.append(record)
    return records


def copies(record: Record, n: int) -> list[Record]:
    """``n`` copies of ``record`` for upsampling, each saying what it copies."""
    label = record.label
    out = []
    for k in range(1, n + 1):
        copy = record.clone()
        if record.id is not None:
            copy.id = f"{record.id}#copy{k}"
        copy.metadata.update({"copy_of": label, "copy": k})
        out.append(copy)
    return out


def reject_entry(step: str, reject: Reject, record: Record) -> bytes:
    src = record.source
    return entry(
        step, reject, src.file if src else None, src.line if src else None, record.to_dict()
    )


def entry(step: str, reject: Reject, file: str | None, line: int | None, record: Any) -> bytes:
    """One line of the rejects file: the step, why, where from, and the whole record."""
    return dump(
        {
            "step": step,
            "code": reject.code,
            "value": reject.value,
            "detail": reject.detail,
            "file": file,
            "line": line,
            "record": record,
        }
    )


class NoOutput(Unconvertible):
    """No output of the run takes the record (outputs routed by split)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.code = "no_output"


def unconvertible(exc: Exception) -> Reject:
    return Reject(getattr(exc, "code", "unconvertible"), detail=str(exc))


def dump(value: Any) -> bytes:
    try:
        return dumps_bytes(value, newline=True)
    except ValueError:
        return dumps_bytes(_jsonable(value), newline=True)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return repr(value)
