"""Collectors as recipe inputs: a collection runs first, into a file of records in the run's work
folder, which the run then reads like any input (records keep the log's file and line, or the
database's name and row number)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ftprep.collect.accounting import CollectStats, read_watermark
from ftprep.collect.annotations import AnnotationCollector, AnnotationSpec
from ftprep.collect.logs import LogCollector
from ftprep.collect.spec import LogSpec
from ftprep.collect.sql import SqlRows, SqlSpec
from ftprep.engine.files import read_json, write_json
from ftprep.formats.base import Format, require_object
from ftprep.io import RawRow, iter_rows
from ftprep.io.atomic import temp_path_beside
from ftprep.reading import Source
from ftprep.record import Provenance, Record
from ftprep.reviewapp.source import ReviewSourceSpec, collect_review


class CollectedFormat(Format):
    """The lines a collector writes: ``{"record", "file", "line"}``."""

    name = "collected"
    description = "Conversations made by a collector (internal)."
    writable = False

    def detect(self, row: dict[str, Any]) -> float:
        return 0.0

    def parse(self, row: Any, source: Provenance | None = None) -> list[Record]:
        row = require_object(row, source)
        return [Record.from_dict(row["record"], Provenance(row["file"], row["line"]))]


@dataclass
class Collection:
    """One collector input of a run: a log file or a SQL source, and the watermark it starts
    from."""

    spec: LogSpec | SqlSpec | AnnotationSpec | ReviewSourceSpec
    path: Path | None  # the log file (the review app's database); None for SQL
    watermark_file: Path | None
    adjudicate_file: Path | None = None

    @classmethod
    def of(
        cls, spec: LogSpec | SqlSpec | AnnotationSpec | ReviewSourceSpec, base: Path
    ) -> Collection:
        def resolve(value: str) -> Path:
            return Path(value) if os.path.isabs(value) else base / value

        if isinstance(spec, ReviewSourceSpec):
            return cls(spec, resolve(spec.db), None)
        if isinstance(spec, AnnotationSpec):
            adjudicate = resolve(spec.adjudicate) if spec.adjudicate else None
            return cls(spec, resolve(spec.path), None, adjudicate)
        mark = resolve(spec.watermark) if spec.watermark else None
        if isinstance(spec, SqlSpec):
            return cls(spec.relative_to(base), None, mark)
        return cls(spec, resolve(spec.path), mark)

    @property
    def name(self) -> str:
        """How rejects and summaries name the source (a SQL URL without its password)."""
        if self.path is not None:
            return str(self.path)
        assert isinstance(self.spec, SqlSpec)
        return self.spec.display()

    @property
    def watermark(self) -> float | None:
        return read_watermark(self.watermark_file) if self.watermark_file else None

    def state(self) -> dict[str, Any]:
        """What must not change for an interrupted run to resume."""
        if self.path is None:
            return {"sql": self.name, "watermark": self.watermark}
        stat = self.path.stat()
        return {
            "path": str(self.path),
            "bytes": stat.st_size,
            "mtime_ns": stat.st_mtime_ns,
            "watermark": self.watermark,
        }

    def rows(self, watermark: float | None) -> Iterable[RawRow]:
        if isinstance(self.spec, SqlSpec):
            return SqlRows(self.spec, watermark)
        assert self.path is not None and not isinstance(self.spec, ReviewSourceSpec)
        return iter_rows(self.path, container=self.spec.container)

    def run(self, folder: Path, index: int, resumed: bool) -> tuple[Source, CollectStats]:
        """Collect into ``folder`` (or, resuming, take what an earlier try finished there)."""
        out, rejects, meta = (folder / f"{index}{ext}" for ext in (".jsonl", ".rej", ".json"))
        source = Source(out, "jsonl", CollectedFormat(), origin=self.name)
        if resumed and meta.exists():
            return source, CollectStats.from_dict(read_json(meta))
        folder.mkdir(parents=True, exist_ok=True)
        watermark = self.watermark
        tmp_out, tmp_rej = temp_path_beside(out), temp_path_beside(rejects)
        tmp_adj = None
        if self.adjudicate_file is not None:
            self.adjudicate_file.parent.mkdir(parents=True, exist_ok=True)
            tmp_adj = temp_path_beside(self.adjudicate_file)
        try:
            with contextlib.ExitStack() as files:
                o, r = (
                    files.enter_context(tmp_out.open("wb")),
                    files.enter_context(tmp_rej.open("wb")),
                )
                if isinstance(self.spec, ReviewSourceSpec):
                    assert self.path is not None
                    stats = collect_review(self.path, self.spec.threshold, o, r)
                elif isinstance(self.spec, AnnotationSpec):
                    a = files.enter_context(tmp_adj.open("wb")) if tmp_adj else None
                    stats = AnnotationCollector(self.spec, self.name).collect(
                        self.rows(None), o, r, a
                    )
                else:
                    presorted = isinstance(self.spec, SqlSpec)  # the database sorts
                    kind = "sql" if presorted else "logs"
                    collector = LogCollector(
                        self.spec, self.name, watermark, presorted=presorted, kind=kind
                    )
                    stats = collector.collect(self.rows(watermark), o, r, tmp=folder)
            os.replace(tmp_out, out)
            os.replace(tmp_rej, rejects)
            if tmp_adj is not None and self.adjudicate_file is not None:
                os.replace(tmp_adj, self.adjudicate_file)
        finally:
            for tmp in (tmp_out, tmp_rej, tmp_adj):
                if tmp is not None:
                    tmp.unlink(missing_ok=True)
        write_json(meta, stats.to_dict())
        return source, stats

    def rejects(self, folder: Path, index: int) -> Path:
        return folder / f"{index}.rej"
