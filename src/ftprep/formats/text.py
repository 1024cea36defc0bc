"""Plain text records, pretraining style: ``{"text": "..."}``."""

from __future__ import annotations

from typing import Any

from ftprep.errors import FormatError
from ftprep.formats.base import (
    Format,
    Losses,
    apply_common,
    require_object,
    take_common,
    where,
)
from ftprep.record import Provenance, Record

#: keys that hold the text of a plain-text row, in order of preference
TEXT_KEYS = ("text", "full_text", "content")


class TextFormat(Format):
    name = "text"
    description = "plain text, one document per row: {'text': ...}"

    def detect(self, row: dict[str, Any]) -> float:
        for key in TEXT_KEYS:
            if isinstance(row.get(key), str):
                return 0.6
        return 0.0

    def parse(self, row: Any, source: Provenance | None = None) -> list[Record]:
        row = require_object(row, source)
        key = next((k for k in TEXT_KEYS if isinstance(row.get(k), str)), None)
        if key is None:
            raise FormatError(
                "no string text field (expected one of: " + ", ".join(TEXT_KEYS) + ")",
                field="text",
                **where(source),
            )
        record = Record(text=row[key], source=source)
        take_common(row, record, source)
        record.extra = {k: v for k, v in row.items() if k not in (key, "id", "metadata")}
        record.hints["text_key"] = key
        return [record]

    def render(self, record: Record, losses: Losses) -> dict[str, Any]:
        if record.is_text:
            text = record.text or ""
        else:
            losses["messages (flattened to text)"] += 1
            if record.tools:
                losses["tools"] += 1
            text = conversation_to_text(record)
        key = record.hints.get("text_key", "text")
        return apply_common({key: text}, record)


def conversation_to_text(record: Record) -> str:
    """A readable transcript: ``Role: content`` blocks, tool calls written as JSON."""
    blocks = []
    for message in record.messages:
        body = message.text
        if message.tool_calls:
            calls = "\n".join(f"{c.name}({c.arguments})" for c in message.tool_calls)
            body = f"{body}\n{calls}".strip()
        blocks.append(f"{message.role.capitalize()}: {body}")
    return "\n\n".join(blocks)
