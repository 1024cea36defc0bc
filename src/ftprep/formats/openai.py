"""OpenAI chat fine-tuning lines: ``{"messages": [...], "tools": [...], ...}``; the canonical form."""

from __future__ import annotations

from typing import Any

from ftprep.formats.base import Format, Losses, Unconvertible
from ftprep.record import Provenance, Record


class OpenAIChatFormat(Format):
    name = "openai"
    description = "OpenAI chat fine-tuning JSONL: messages with roles, tools, tool_calls, weight"

    def detect(self, row: dict[str, Any]) -> float:
        messages = row.get("messages")
        if not isinstance(messages, list):
            return 0.0
        first = next((m for m in messages if isinstance(m, dict)), None)
        if first is None:
            return 0.5
        if "from" in first and "role" not in first:
            return 0.1  # ShareGPT turns under a "messages" key
        return 1.0 if "role" in first else 0.4

    def parse(self, row: Any, source: Provenance | None = None) -> list[Record]:
        return [Record.from_dict(row, source)]

    def render(self, record: Record, losses: Losses) -> dict[str, Any]:
        if record.is_text:
            raise Unconvertible("a plain-text record has no messages", field="text")
        return record.to_dict()
