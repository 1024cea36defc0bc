"""Prompt/completion rows: ``{"prompt": str, "completion": str}``, and TRL's conversational form.

TRL's conversational prompt-completion rows hold lists of messages in both fields. Writing picks
the plain string form for a single user turn answered by a single assistant turn, and the
conversational form for anything richer (a system prompt, several turns, tool calls), so nothing is lost.
"""

from __future__ import annotations

from typing import Any

from ftprep.errors import FormatError
from ftprep.formats.base import (
    Format,
    Losses,
    Unconvertible,
    apply_common,
    passthrough,
    require_object,
    take_common,
    where,
)
from ftprep.record import Message, Provenance, Record, parse_message, parse_tools

_KNOWN = frozenset({"prompt", "completion", "tools", "id", "metadata"})


class CompletionFormat(Format):
    name = "completion"
    description = "prompt/completion pairs (strings, or TRL's conversational lists of messages)"

    def detect(self, row: dict[str, Any]) -> float:
        return 1.0 if "prompt" in row and "completion" in row else 0.0

    def parse(self, row: Any, source: Provenance | None = None) -> list[Record]:
        row = require_object(row, source)
        record = Record(source=source, extra=passthrough(row, _KNOWN))
        take_common(row, record, source)
        record.tools = parse_tools(row.get("tools"), where(source))
        record.messages = self._side(row, "prompt", "user", source) + self._side(
            row, "completion", "assistant", source
        )
        return [record]

    def _side(
        self, row: dict[str, Any], key: str, role: str, source: Provenance | None
    ) -> list[Message]:
        value = row.get(key)
        if isinstance(value, str):
            return [Message(role=role, content=value)]
        if isinstance(value, list):
            messages = [parse_message(m, i, where(source)) for i, m in enumerate(value)]
            return messages
        raise FormatError(
            "missing"
            if value is None
            else f"must be a string or a list of messages, got {type(value).__name__}",
            field=key,
            code="wrong_type",
            **where(source),
        )

    def render(self, record: Record, losses: Losses) -> dict[str, Any]:
        if record.is_text:
            raise Unconvertible("a plain-text record has no prompt and completion", field="text")
        messages = record.messages
        last_user = max((i for i, m in enumerate(messages) if m.role == "user"), default=-1)
        if last_user < 0 or last_user == len(messages) - 1:
            raise Unconvertible("prompt/completion needs a user turn followed by a reply")
        prompt, completion = messages[: last_user + 1], messages[last_user + 1 :]
        simple = (
            len(prompt) == 1
            and len(completion) == 1
            and completion[0].role == "assistant"
            and _plain(prompt[0])
            and _plain(completion[0])
            and not record.tools
        )
        out: dict[str, Any]
        if simple:
            out = {"prompt": prompt[0].text, "completion": completion[0].text}
        else:
            out = {
                "prompt": [m.to_dict() for m in prompt],
                "completion": [m.to_dict() for m in completion],
            }
            if record.tools:
                out["tools"] = record.tools
        return apply_common(out, record)


def _plain(message: Message) -> bool:
    return (
        isinstance(message.content, str)
        and not message.tool_calls
        and message.weight is None
        and message.name is None
        and not message.extra
    )
