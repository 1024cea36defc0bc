"""The canonical conversation record every format reads into and writes out of.

A :class:`Record` is either a conversation (``messages``) or a plain-text document (``text``).
Its wire form is the OpenAI chat fine-tuning line (``to_dict``/``from_dict``); every other format
converts to and from a ``Record``. Nothing is silently dropped: keys a format does not know are kept
in ``extra`` (top level) and ``Message.extra`` (per message) and written back where the target can
hold them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from ftprep.errors import FormatError

ROLES: tuple[str, ...] = ("system", "developer", "user", "assistant", "tool")
LEGACY_ROLES: tuple[str, ...] = ("function",)
TEXT_PART_TYPES = frozenset({"text", "input_text", "output_text"})

#: Metadata keys with an agreed meaning; any other key is kept as it is.
METADATA_KEYS: tuple[str, ...] = (
    "source",
    "category",
    "rating",
    "created_at",
    "updated_at",
    "group_id",
    "session_id",
    "user_id",
    "parent_id",
    "lang",
)

_FAST_ROLES = frozenset(ROLES)
_MESSAGE_KEYS = frozenset({"role", "content", "tool_calls", "tool_call_id", "name", "weight"})
_RECORD_KEYS = frozenset({"id", "messages", "tools", "parallel_tool_calls", "metadata", "text"})
_ABSENT = object()


@dataclass(slots=True)
class Provenance:
    """Where a record was read: the input file and its 1-based line (JSONL) or row (others)."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(slots=True)
class ToolCall:
    """One function call made by an assistant turn; ``arguments`` is a JSON string."""

    name: str
    arguments: str
    id: str | None = None
    type: str = "function"
    extra: dict[str, Any] = field(default_factory=dict)
    function_extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.id is not None:
            out["id"] = self.id
        out["type"] = self.type
        out["function"] = {"name": self.name, "arguments": self.arguments, **self.function_extra}
        out.update(self.extra)
        return out


@dataclass(slots=True)
class Message:
    """One turn. ``content`` is a string, ``None`` (a tool-call-only turn) or a list of typed parts."""

    role: str
    content: str | list[dict[str, Any]] | None = None
    tool_calls: list[ToolCall] | None = None
    tool_call_id: str | None = None
    name: str | None = None
    weight: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The content as plain text: text parts joined, non-text parts left out."""
        return content_text(self.content)

    def to_dict(self) -> dict[str, Any]:
        if (
            self.tool_calls is self.tool_call_id is self.name is self.weight is None
            and not self.extra
        ):
            return {"role": self.role, "content": self.content}  # the common turn
        out: dict[str, Any] = {"role": self.role}
        if self.content is not None or not self.tool_calls:
            out["content"] = self.content
        if self.tool_calls:
            out["tool_calls"] = [call.to_dict() for call in self.tool_calls]
        if self.tool_call_id is not None:
            out["tool_call_id"] = self.tool_call_id
        if self.name is not None:
            out["name"] = self.name
        if self.weight is not None:
            out["weight"] = self.weight
        out.update(self.extra)
        return out


@dataclass(slots=True)
class Record:
    """A conversation or a plain-text document, with its metadata and provenance.

    ``hints`` carries format-specific detail that makes a round trip through the same format
    lossless (the split of an Alpaca prompt into instruction and input, say); writers of other
    formats ignore it, and it takes no part in equality.
    """

    messages: list[Message] = field(default_factory=list)
    id: str | None = None
    tools: list[dict[str, Any]] | None = None
    parallel_tool_calls: bool | None = None
    text: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    hints: dict[str, Any] = field(default_factory=dict, compare=False)
    source: Provenance | None = field(default=None, compare=False)

    @property
    def is_text(self) -> bool:
        return self.text is not None and not self.messages

    def clone(self) -> Record:
        """A deep copy: the same line, provenance and hints, sharing nothing mutable."""
        copy = Record.from_dict(self.to_dict(), self.source)
        copy.hints = dict(self.hints)
        return copy

    @property
    def label(self) -> str:
        """How other records name this one (a copy, a variant): its id, else where it was read
        (``file:line``), else ``""``."""
        if self.id is not None:
            return self.id
        return str(self.source) if self.source else ""

    def to_dict(self) -> dict[str, Any]:
        """The OpenAI chat fine-tuning line (or ``{"text": ...}`` for a plain-text record)."""
        out: dict[str, Any] = {}
        if self.id is not None:
            out["id"] = self.id
        if self.is_text:
            out["text"] = self.text
        else:
            out["messages"] = [m.to_dict() for m in self.messages]
        if self.tools is not None:
            out["tools"] = self.tools
        if self.parallel_tool_calls is not None:
            out["parallel_tool_calls"] = self.parallel_tool_calls
        if self.metadata:
            out["metadata"] = self.metadata
        out.update(self.extra)
        return out

    @classmethod
    def from_dict(cls, row: dict[str, Any], source: Provenance | None = None) -> Record:
        """Read an OpenAI chat line (or a ``{"text": ...}`` line); raises :class:`FormatError`."""
        if type(row) is not dict and not isinstance(row, dict):
            raise FormatError(
                f"expected a JSON object, got {type(row).__name__}",
                code="not_an_object",
                **where(source),
            )
        extra = (
            {}
            if row.keys() <= _RECORD_KEYS
            else {k: v for k, v in row.items() if k not in _RECORD_KEYS}
        )
        metadata = row.get("metadata") or {}
        if type(metadata) is not dict and not isinstance(metadata, dict):
            raise FormatError("must be an object", field="metadata", **where(source))
        rid = row.get("id")
        tools = row.get("tools")
        record = cls(
            id=None if rid is None else rid if type(rid) is str else str(rid),
            tools=None if tools is None else parse_tools(tools, where(source)),
            parallel_tool_calls=row.get("parallel_tool_calls"),
            metadata=dict(metadata),
            extra=extra,
            source=source,
        )
        messages = row.get("messages", _ABSENT)
        if messages is _ABSENT:
            if isinstance(row.get("text"), str):
                record.text = row["text"]
                return record
            raise FormatError("missing 'messages'", field="messages", **where(source))
        if "text" in row:
            record.extra["text"] = row["text"]
        if type(messages) is not list and not isinstance(messages, list):
            raise FormatError(
                f"must be a list, got {type(messages).__name__}",
                field="messages",
                **where(source),
            )
        record.messages = [
            Message(m["role"], m["content"])  # the common case, checked cheaply
            if type(m) is dict
            and len(m) == 2
            and m.get("role") in _FAST_ROLES
            and type(m.get("content")) is str
            else parse_message(m, i, where(source))
            for i, m in enumerate(messages)
        ]
        return record


def where(source: Provenance | None) -> dict[str, Any]:
    """Keyword arguments locating a :class:`FormatError` at ``source``."""
    return {"file": source.file, "line": source.line} if source else {}


def content_text(content: str | list[dict[str, Any]] | None) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    pieces = []
    for part in content:
        if isinstance(part, dict) and part.get("type", "text") in TEXT_PART_TYPES:
            value = part.get("text", part.get("value"))
            if isinstance(value, str):
                pieces.append(value)
    return "".join(pieces)


def parse_message(raw: Any, index: int, at: dict[str, Any]) -> Message:
    path = f"messages[{index}]"
    if not isinstance(raw, dict):
        raise FormatError(f"must be an object, got {type(raw).__name__}", field=path, **at)
    role = raw.get("role")
    if not isinstance(role, str):
        raise FormatError("missing or non-string 'role'", field=f"{path}.role", **at)
    if role not in ROLES and role not in LEGACY_ROLES:
        raise FormatError(
            f"unknown role {role!r} (expected one of {', '.join(ROLES)})",
            field=f"{path}.role",
            code="unknown_role",
            **at,
        )
    content = raw.get("content")
    if content is not None and not isinstance(content, str | list):
        raise FormatError(
            f"must be a string, null or a list of parts, got {type(content).__name__}",
            field=f"{path}.content",
            **at,
        )
    if isinstance(content, list) and not all(isinstance(p, dict) for p in content):
        raise FormatError("every content part must be an object", field=f"{path}.content", **at)
    calls = raw.get("tool_calls")
    weight = raw.get("weight")
    if weight is not None and (isinstance(weight, bool) or weight not in (0, 1)):
        raise FormatError(f"must be 0 or 1, got {weight!r}", field=f"{path}.weight", **at)
    name = raw.get("name")
    call_id = raw.get("tool_call_id")
    return Message(
        role=role,
        content=content,
        tool_calls=None if calls is None else parse_tool_calls(calls, f"{path}.tool_calls", at),
        tool_call_id=None if call_id is None else str(call_id),
        name=None if name is None else str(name),
        weight=None if weight is None else int(weight),
        extra={k: v for k, v in raw.items() if k not in _MESSAGE_KEYS},
    )


def parse_tool_calls(raw: Any, path: str, at: dict[str, Any]) -> list[ToolCall]:
    if not isinstance(raw, list):
        raise FormatError("must be a list", field=path, **at)
    calls = []
    for i, call in enumerate(raw):
        here = f"{path}[{i}]"
        if not isinstance(call, dict) or not isinstance(call.get("function"), dict):
            raise FormatError("must be an object with a 'function' object", field=here, **at)
        fn = call["function"]
        name = fn.get("name")
        if not isinstance(name, str) or not name:
            raise FormatError("missing function name", field=f"{here}.function.name", **at)
        args = fn.get("arguments", "{}")
        if not isinstance(args, str):  # some exporters write the object itself
            args = orjson.dumps(args).decode()
        call_id = call.get("id")
        calls.append(
            ToolCall(
                name=name,
                arguments=args,
                id=None if call_id is None else str(call_id),
                type=str(call.get("type", "function")),
                extra={k: v for k, v in call.items() if k not in ("id", "type", "function")},
                function_extra={k: v for k, v in fn.items() if k not in ("name", "arguments")},
            )
        )
    return calls


def parse_tools(raw: Any, at: dict[str, Any]) -> list[dict[str, Any]] | None:
    """Tools in OpenAI form (``{"type": "function", "function": {...}}``).

    Accepts a list or a JSON string of one, and bare function definitions (ShareGPT/LLaMA-Factory
    style), which are wrapped. An empty list reads as no tools.
    """
    if raw is None:
        return None
    if isinstance(raw, str):
        if not raw.strip():
            return None
        try:
            raw = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise FormatError(
                f"is a string that is not valid JSON ({exc})", field="tools", **at
            ) from None
    if isinstance(raw, dict):
        raw = [raw]
    if not isinstance(raw, list):
        raise FormatError(f"must be a list, got {type(raw).__name__}", field="tools", **at)
    tools = []
    for i, tool in enumerate(raw):
        if not isinstance(tool, dict):
            raise FormatError("must be an object", field=f"tools[{i}]", **at)
        if "function" in tool and isinstance(tool["function"], dict):
            tools.append(tool)
        elif "name" in tool:
            tools.append({"type": "function", "function": tool})
        else:
            raise FormatError(
                "is neither {'type': 'function', 'function': {...}} nor a function definition",
                field=f"tools[{i}]",
                **at,
            )
    return tools or None
