"""Berkeley Function-Calling Leaderboard rows: ``question`` (turns of messages) and ``function``.

The questions become the conversation (no assistant replies: an evaluation set) and the function
definitions become ``tools``, kept as they are even where their types are not JSON Schema
(``"dict"``, ``"float"``), so that ``validate`` can point at them. Read-only.
"""

from __future__ import annotations

from typing import Any

from ftprep.errors import FormatError
from ftprep.formats.base import Format, passthrough, require_object, take_common, where
from ftprep.record import Provenance, Record, parse_message, parse_tools


class BfclFormat(Format):
    name = "bfcl"
    description = (
        "Berkeley Function-Calling Leaderboard questions with function schemas (read-only)"
    )
    writable = False

    def detect(self, row: dict[str, Any]) -> float:
        return 1.0 if isinstance(row.get("question"), list) and "function" in row else 0.0

    def parse(self, row: Any, source: Provenance | None = None) -> list[Record]:
        row = require_object(row, source)
        turns = row.get("question")
        if not isinstance(turns, list):
            raise FormatError("must be a list of turns", field="question", **where(source))
        record = Record(
            source=source, extra=passthrough(row, frozenset({"question", "function", "id"}))
        )
        take_common(row, record, source)
        flat = [m for turn in turns for m in (turn if isinstance(turn, list) else [turn])]
        record.messages = [parse_message(m, i, where(source)) for i, m in enumerate(flat)]
        record.tools = parse_tools(row.get("function"), where(source))
        return [record]
