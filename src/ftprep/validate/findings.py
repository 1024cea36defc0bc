"""Findings and the collector that counts them without holding millions in memory."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import IO, Any

import orjson

from ftprep.validate.codes import CODES, ERROR, OFF


@dataclass(slots=True)
class Finding:
    """One problem: where (file, line, message index, field), what (code, detail) and the fix."""

    code: str
    severity: str
    file: str
    line: int | None
    message_index: int | None = None
    field: str | None = None
    detail: str = ""

    @property
    def hint(self) -> str:
        return CODES[self.code].hint

    @property
    def location(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.message_index is not None:
            where += f": messages[{self.message_index}]"
            if self.field:
                where += f".{self.field}"
        elif self.field:
            where += f": {self.field}"
        return where

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "file": self.file,
            "line": self.line,
            "message_index": self.message_index,
            "field": self.field,
            "message": self.detail or CODES[self.code].title,
            "hint": self.hint,
        }

    def __str__(self) -> str:
        text = self.detail or CODES[self.code].title
        return f"{self.location}: {self.severity} [{self.code}] {text} (fix: {self.hint})"


class Collector:
    """Counts findings per code, keeps the first few of each, and streams all of them if asked.

    ``line`` is set by the caller before checking each record, so checks only say what and where
    inside the record. ``strict`` turns the first error into an exception.
    """

    def __init__(
        self,
        severity: dict[str, str],
        *,
        file: str,
        examples: int = 5,
        sink: IO[bytes] | None = None,
        strict: bool = False,
    ) -> None:
        self.severity = severity
        self.file = file
        self.line: int | None = None
        self.examples_per_code = examples
        self.sink = sink
        self.strict = strict
        self.counts: Counter[str] = Counter()
        self.examples: dict[str, list[Finding]] = {}
        self.records_with_errors = 0
        self._line_has_error = False

    def add(
        self, code: str, index: int | None = None, field: str | None = None, detail: str = ""
    ) -> None:
        severity = self.severity[code]
        if severity == OFF:
            return
        self.counts[code] += 1
        finding = Finding(code, severity, self.file, self.line, index, field, detail)
        kept = self.examples.setdefault(code, [])
        if len(kept) < self.examples_per_code:
            kept.append(finding)
        if self.sink is not None:
            self.sink.write(orjson.dumps(finding.to_dict(), option=orjson.OPT_APPEND_NEWLINE))
        if severity == ERROR:
            self._line_has_error = True
            if self.strict:
                raise StrictStop(finding)

    def start(self, line: int | None) -> None:
        self.line = line
        self._line_has_error = False

    def finish(self) -> bool:
        """Close the current record; True when it had an error."""
        if self._line_has_error:
            self.records_with_errors += 1
        return self._line_has_error

    def by_severity(self, severity: str) -> dict[str, int]:
        return {c: n for c, n in self.counts.items() if self.severity[c] == severity}


class StrictStop(Exception):
    """Raised by a strict collector at the first error."""

    def __init__(self, finding: Finding) -> None:
        self.finding = finding
        super().__init__(str(finding))
