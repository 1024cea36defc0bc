"""ShareGPT rows: ``{"conversations": [{"from": "human", "value": ...}, ...], "tools": ...}``.

Reads the tags of FastChat and LLaMA-Factory (human, gpt, system, function_call, observation, tool)
and any custom tags given by a column mapping. A ``function_call`` turn becomes an assistant turn with
``tool_calls``; an ``observation`` turn becomes a ``tool`` message answering it. ShareGPT has no call
ids, so ids are made up as ``call_<turn>_<k>`` on reading and left out on writing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

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
from ftprep.record import Message, Provenance, Record, ToolCall, parse_tools


@dataclass(frozen=True)
class ShareGPTTags:
    """Column and tag names, LLaMA-Factory's ``columns``/``tags`` vocabulary."""

    messages: str = "conversations"
    system: str = "system"
    tools: str = "tools"
    role_tag: str = "from"
    content_tag: str = "value"
    user_tag: str = "human"
    assistant_tag: str = "gpt"
    observation_tag: str = "observation"
    function_tag: str = "function_call"
    system_tag: str = "system"

    def role_of(self, tag: str) -> str | None:
        named = {
            self.user_tag: "user",
            self.assistant_tag: "assistant",
            self.observation_tag: "tool",
            self.function_tag: "function_call",
            self.system_tag: "system",
        }
        return named.get(tag) or _ALIASES.get(tag)


_ALIASES = {
    "human": "user",
    "user": "user",
    "gpt": "assistant",
    "assistant": "assistant",
    "chatgpt": "assistant",
    "bing": "assistant",
    "bard": "assistant",
    "model": "assistant",
    "system": "system",
    "observation": "tool",
    "tool": "tool",
    "function_call": "function_call",
}


@dataclass
class _CallState:
    """Function-call turns seen so far, and the ids still waiting for an observation."""

    turns: int = 0
    pending: list[str] = field(default_factory=list)


class ShareGPTFormat(Format):
    name = "sharegpt"
    description = (
        "ShareGPT: conversations of {from, value} turns (human, gpt, function_call, observation)"
    )

    def __init__(self, tags: ShareGPTTags | None = None) -> None:
        self.tags = tags or ShareGPTTags()

    def detect(self, row: dict[str, Any]) -> float:
        for key in (self.tags.messages, "conversations", "messages"):
            turns = row.get(key)
            if isinstance(turns, list) and turns and isinstance(turns[0], dict):
                return 1.0 if self.tags.role_tag in turns[0] else 0.2
        return 0.0

    def parse(self, row: Any, source: Provenance | None = None) -> list[Record]:
        row = require_object(row, source)
        tags = self.tags
        key = tags.messages if tags.messages in row else "conversations"
        turns = row.get(key)
        if not isinstance(turns, list):
            raise FormatError(
                "missing or not a list", field=key, code="missing_messages", **where(source)
            )
        known = frozenset({key, tags.system, tags.tools, "id", "metadata"})
        record = Record(source=source, extra=passthrough(row, known))
        take_common(row, record, source)
        record.tools = parse_tools(row.get(tags.tools), where(source))
        system = row.get(tags.system)
        if isinstance(system, str) and system:
            record.messages.append(Message(role="system", content=system))
        calls = _CallState()
        for i, turn in enumerate(turns):
            record.messages.append(self._turn(turn, i, key, calls, source))
        record.hints["sharegpt"] = {"tools_type": type(row.get(tags.tools)).__name__}
        return [record]

    def _turn(
        self, turn: Any, i: int, key: str, calls: _CallState, source: Provenance | None
    ) -> Message:
        path = f"{key}[{i}]"
        tags = self.tags
        if not isinstance(turn, dict):
            raise FormatError("must be an object", field=path, **where(source))
        tag = turn.get(tags.role_tag)
        role = tags.role_of(tag) if isinstance(tag, str) else None
        if role is None:
            raise FormatError(
                f"unknown {tags.role_tag!r} tag {tag!r}; say what it means with "
                f"--map user_tag=... / assistant_tag=... (or fix the data)",
                field=f"{path}.{tags.role_tag}",
                code="unknown_role",
                **where(source),
            )
        value = turn.get(tags.content_tag)
        if value is not None and not isinstance(value, str):
            value = orjson.dumps(value).decode()
        extra = {k: v for k, v in turn.items() if k not in (tags.role_tag, tags.content_tag)}
        if role == "function_call":
            made = _calls(value or "", calls.turns, f"{path}.{tags.content_tag}", source)
            calls.turns += 1
            calls.pending = [c.id for c in made if c.id]
            return Message(role="assistant", content=None, tool_calls=made, extra=extra)
        if role == "tool":
            call_id = calls.pending.pop(0) if calls.pending else None
            return Message(role="tool", content=value, tool_call_id=call_id, extra=extra)
        return Message(role=role, content=value, extra=extra)

    def render(self, record: Record, losses: Losses) -> dict[str, Any]:
        if record.is_text:
            raise Unconvertible("a plain-text record cannot be written as ShareGPT", field="text")
        tags = self.tags
        turns: list[dict[str, Any]] = []
        for message in record.messages:
            if message.weight is not None:
                losses["messages.weight"] += 1
            if isinstance(message.content, list):
                losses["messages.content (parts flattened to text)"] += 1
            turns.extend(self._render_turns(message, losses))
        out: dict[str, Any] = {tags.messages: turns}
        if record.tools:
            tools = [t.get("function", t) for t in record.tools]
            if any(t.get("type", "function") != "function" for t in record.tools):
                losses["tools (non-function tools)"] += 1
            as_list = record.hints.get("sharegpt", {}).get("tools_type") == "list"
            out[tags.tools] = tools if as_list else orjson.dumps(tools).decode()
        return apply_common(out, record)

    def _render_turns(self, message: Message, losses: Losses) -> list[dict[str, Any]]:
        tags = self.tags
        role_tags = {
            "system": tags.system_tag,
            "developer": tags.system_tag,
            "user": tags.user_tag,
            "assistant": tags.assistant_tag,
            "tool": tags.observation_tag,
            "function": tags.observation_tag,
        }
        extra = dict(message.extra)
        if message.tool_calls:
            if message.text.strip():
                losses["messages.content (beside tool_calls)"] += 1
            calls = [
                {"name": c.name, "arguments": _arguments(c.arguments)} for c in message.tool_calls
            ]
            value = orjson.dumps(calls[0] if len(calls) == 1 else calls).decode()
            return [{tags.role_tag: tags.function_tag, tags.content_tag: value, **extra}]
        return [{tags.role_tag: role_tags[message.role], tags.content_tag: message.text, **extra}]


def _arguments(arguments: str) -> Any:
    try:
        return orjson.loads(arguments)
    except orjson.JSONDecodeError:
        return arguments


def _calls(value: str, turn: int, path: str, source: Provenance | None) -> list[ToolCall]:
    try:
        parsed = orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        raise FormatError(
            f"function_call value is not JSON ({exc})",
            field=path,
            code="tool_arguments_invalid_json",
            **where(source),
        ) from None
    items = parsed if isinstance(parsed, list) else [parsed]
    calls = []
    for k, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise FormatError(
                "function_call must be {'name': ..., 'arguments': ...}", field=path, **where(source)
            )
        args = item.get("arguments", {})
        arguments = args if isinstance(args, str) else orjson.dumps(args).decode()
        calls.append(ToolCall(name=item["name"], arguments=arguments, id=f"call_{turn}_{k}"))
    return calls
