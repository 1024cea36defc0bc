"""``ftprep convert``: any supported format in, any writable format out, streaming.

What the target cannot hold is counted per field in ``losses``; a record the target cannot
represent at all, and every row that cannot be read, goes to the rejects file with the reason.
``read == written + rejected`` always holds and is checked.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ftprep.errors import FormatError, FtprepError
from ftprep.formats import WRITABLE, ColumnMapping, Losses, Unconvertible, get_format
from ftprep.io import open_writer
from ftprep.reading import Rejected, iter_records, open_source
from ftprep.record import Record

#: ``--to`` values that name a container rather than a format: rows in the canonical format
CONTAINER_TARGETS = {"parquet": "parquet", "hf": "hf"}


@dataclass
class ConvertResult:
    input: str
    output: str
    input_format: str
    output_format: str
    read: int = 0
    written: int = 0
    rejected: int = 0
    losses: Losses = field(default_factory=Losses)
    rejects_path: str | None = None
    reject_reasons: dict[str, int] = field(default_factory=dict)


def default_rejects_path(output: str | os.PathLike[str]) -> Path:
    """``out.jsonl`` -> ``out.rejects.jsonl`` beside it (for a directory: ``out.rejects.jsonl``)."""
    out = Path(output)
    stem = out.name[: -len(out.suffix)] if out.suffix else out.name
    return out.with_name(f"{stem}.rejects.jsonl")


def convert(
    src: str | os.PathLike[str],
    dst: str | os.PathLike[str],
    *,
    to: str = "openai",
    fmt: str | None = None,
    container: str | None = None,
    out_container: str | None = None,
    mapping: ColumnMapping | None = None,
    dataset_info: str | os.PathLike[str] | None = None,
    dataset: str | None = None,
    rejects: str | os.PathLike[str] | None = None,
    strict: bool = False,
) -> ConvertResult:
    """Convert ``src`` to format ``to`` in ``dst``; see the module docstring for the accounting."""
    if to in CONTAINER_TARGETS:
        out_container, to = out_container or CONTAINER_TARGETS[to], "openai"
    if to not in WRITABLE:
        raise FtprepError(f"cannot write format {to!r}; writable formats: {', '.join(WRITABLE)}")
    source = open_source(
        src,
        fmt=fmt,
        container=container,
        mapping=mapping,
        dataset_info=dataset_info,
        dataset=dataset,
    )
    target = get_format(to)
    rejects_path = Path(rejects) if rejects is not None else default_rejects_path(dst)
    result = ConvertResult(str(source.path), str(dst), source.format.name, to)
    reasons: dict[str, int] = {}
    with (
        open_writer(dst, container=out_container) as writer,
        open_writer(rejects_path, container="jsonl") as bad,
    ):
        for item in iter_records(source):
            result.read += 1
            if isinstance(item, Record):
                try:
                    writer.write(target.render(item, result.losses))
                    result.written += 1
                    continue
                except Unconvertible as exc:
                    item = Rejected.from_error(
                        exc,
                        item.to_dict(),
                        file=source.name,
                        line=item.source.line if item.source else None,
                    )
            if strict:
                raise FormatError(
                    item.reason, file=item.file, line=item.line, field=item.field, code=item.code
                )
            bad.write(item.to_dict())
            result.rejected += 1
            reasons[item.code] = reasons.get(item.code, 0) + 1
    result.reject_reasons = reasons
    if result.rejected:
        result.rejects_path = str(rejects_path)
    else:
        rejects_path.unlink(missing_ok=True)
    if result.read != result.written + result.rejected:  # pragma: no cover - an internal invariant
        raise FtprepError(
            f"accounting error: read {result.read} != written {result.written} + rejected {result.rejected}"
        )
    return result
