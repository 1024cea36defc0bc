"""From a path to records: container and format detection, column mappings, rejected rows.

``open_source`` decides how to read a file (what it is and which format its rows are in);
``iter_records`` streams its records, with every row that cannot be read turned into a
:class:`Rejected` that names the file, line, field and reason, so that nothing is lost.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ftprep.errors import FormatError
from ftprep.formats import ColumnMapping, Format, detect_format, get_format, load_dataset_info
from ftprep.io import RawRow, detect_container, iter_rows
from ftprep.record import Provenance, Record

#: rows looked at to tell the format of a file
DETECT_ROWS = 50


@dataclass(slots=True)
class Rejected:
    """A row or record that did not make it, and why. Written to the rejects file as one line."""

    file: str
    line: int | None
    code: str
    reason: str
    field: str | None = None
    record: Any = None

    @classmethod
    def from_error(
        cls, error: FormatError, record: Any, *, file: str, line: int | None
    ) -> Rejected:
        return cls(
            file=error.file or file,
            line=error.line if error.line is not None else line,
            code=error.code,
            reason=error.message,
            field=error.field,
            record=record,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "field": self.field,
            "code": self.code,
            "reason": self.reason,
            "record": self.record,
        }

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        field = f": {self.field}" if self.field else ""
        return f"{where}{field}: {self.reason}"


@dataclass
class Source:
    """A file and how to read it; ``origin`` is what it was made from when a collector made
    it (a log the run's work folder holds the conversations of)."""

    path: Path
    container: str
    format: Format
    origin: str | None = None

    @property
    def name(self) -> str:
        return str(self.path)


def open_source(
    path: str | os.PathLike[str],
    *,
    fmt: str | None = None,
    container: str | None = None,
    mapping: ColumnMapping | None = None,
    dataset_info: str | os.PathLike[str] | None = None,
    dataset: str | None = None,
) -> Source:
    """Decide the container and format of ``path`` (given, or detected from its first rows).

    ``dataset_info`` names a LLaMA-Factory registry; ``path`` may then be the registry itself
    (with ``dataset``) or a data file it lists.
    """
    path = Path(path)
    if dataset_info is None and path.name == "dataset_info.json":
        dataset_info, path = path, None  # type: ignore[assignment]
    if dataset_info is not None:
        path, mapping = load_dataset_info(dataset_info, dataset, path)
    if not path.exists():
        raise FormatError("no such file or directory", file=str(path))
    container = container or detect_container(path)
    if mapping is not None:
        return Source(path, container, mapping.build())
    if fmt is not None:
        return Source(path, container, get_format(fmt))
    rows = list(itertools.islice(iter_rows(path, container=container), DETECT_ROWS))
    if not rows:  # an empty file holds no records in any format
        return Source(path, container, get_format("openai"))
    sample = (r.value for r in rows if r.error is None)
    return Source(path, container, detect_format(sample, file=str(path)))


def iter_records(source: Source) -> Iterator[Record | Rejected]:
    """Every record of ``source``, or a :class:`Rejected` for each row that cannot be read."""
    name = source.name
    for row in iter_rows(source.path, container=source.container):
        yield from parse_row(source.format, row, name)


def records_of(source: Source) -> Iterator[Record]:
    """The records of ``source``; rows that cannot be read are skipped (for measuring what a
    run wrote, or sampling it: a reading run accounts for them instead)."""
    for item in iter_records(source):
        if isinstance(item, Record):
            yield item


def parse_row(fmt: Format, row: RawRow, name: str) -> list[Record | Rejected]:
    if row.error is not None:
        code = "invalid_utf8" if "UTF-8" in row.error else "invalid_json"
        return [Rejected(name, row.line, code, row.error, record=row.raw)]
    source = Provenance(name, row.line)
    try:
        records: list[Record | Rejected] = list(fmt.parse(row.value, source))
    except FormatError as exc:
        return [Rejected.from_error(exc, row.value, file=name, line=row.line)]
    if row.split is not None:
        for record in records:
            if isinstance(record, Record):
                record.metadata.setdefault("split", row.split)
    return records
