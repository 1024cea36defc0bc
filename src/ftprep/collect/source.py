"""Collectors as recipe inputs: a collection runs first, into a file of records in the run's work
folder, which the run then reads like any input (records keep the log's file and line)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ftprep.collect.logs import CollectStats, LogCollector, LogSpec, read_watermark
from ftprep.engine.files import read_json, write_json
from ftprep.formats.base import Format, require_object
from ftprep.io import iter_rows
from ftprep.io.atomic import temp_path_beside
from ftprep.reading import Source
from ftprep.record import Provenance, Record


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
    """One collector input of a run: the log, and the watermark it starts from."""

    spec: LogSpec
    path: Path
    watermark_file: Path | None

    @classmethod
    def of(cls, spec: LogSpec, base: Path) -> Collection:
        def resolve(value: str) -> Path:
            return Path(value) if os.path.isabs(value) else base / value

        mark = resolve(spec.watermark) if spec.watermark else None
        return cls(spec, resolve(spec.path), mark)

    @property
    def watermark(self) -> float | None:
        return read_watermark(self.watermark_file) if self.watermark_file else None

    def state(self) -> dict[str, Any]:
        """What must not change for an interrupted run to resume."""
        stat = self.path.stat()
        return {
            "path": str(self.path),
            "bytes": stat.st_size,
            "mtime_ns": stat.st_mtime_ns,
            "watermark": self.watermark,
        }

    def run(self, folder: Path, index: int, resumed: bool) -> tuple[Source, CollectStats]:
        """Collect into ``folder`` (or, resuming, take what an earlier try finished there)."""
        out, rejects, meta = (folder / f"{index}{ext}" for ext in (".jsonl", ".rej", ".json"))
        source = Source(out, "jsonl", CollectedFormat(), origin=self.path)
        if resumed and meta.exists():
            return source, CollectStats.from_dict(read_json(meta))
        folder.mkdir(parents=True, exist_ok=True)
        collector = LogCollector(self.spec, str(self.path), self.watermark)
        tmp_out, tmp_rej = temp_path_beside(out), temp_path_beside(rejects)
        try:
            with tmp_out.open("wb") as o, tmp_rej.open("wb") as r:
                rows = iter_rows(self.path, container=self.spec.container)
                stats = collector.collect(rows, o, r, tmp=folder)
            os.replace(tmp_out, out)
            os.replace(tmp_rej, rejects)
        finally:
            tmp_out.unlink(missing_ok=True)
            tmp_rej.unlink(missing_ok=True)
        write_json(meta, stats.to_dict())
        return source, stats

    def rejects(self, folder: Path, index: int) -> Path:
        return folder / f"{index}.rej"
