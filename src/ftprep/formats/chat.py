"""Shapes shared by the formats that hold a conversation as prompt/response pairs."""

from __future__ import annotations

from ftprep.formats.base import Losses, Unconvertible
from ftprep.record import Message, Record


def plain_dialogue(record: Record, losses: Losses, target: str) -> tuple[str | None, list[Message]]:
    """The system prompt and the user/assistant turns of ``record``, for pair-based targets.

    Tool-call turns and tool results are left out and counted; a developer message is read as the
    system prompt. Raises :class:`Unconvertible` when the rest is not ``user, assistant`` pairs.
    """
    if record.is_text:
        raise Unconvertible(f"a plain-text record cannot be written as {target}", field="text")
    system_parts: list[str] = []
    turns: list[Message] = []
    for i, message in enumerate(record.messages):
        if message.role in ("system", "developer"):
            if turns:
                losses["messages (system turn after the first user turn)"] += 1
                continue
            system_parts.append(message.text)
        elif message.role in ("tool", "function"):
            losses["messages (tool results)"] += 1
        elif message.tool_calls:
            losses["messages.tool_calls"] += 1
            if message.text.strip():
                turns.append(Message(role="assistant", content=message.text))
        elif message.role in ("user", "assistant"):
            turns.append(message)
        else:  # pragma: no cover - roles are checked when records are read
            raise Unconvertible(f"unknown role {message.role!r}", field=f"messages[{i}].role")
        if message.weight is not None:
            losses["messages.weight"] += 1
    turns = _merge_consecutive(turns)
    if not turns or turns[-1].role != "assistant":
        raise Unconvertible(f"{target} needs a conversation that ends with an assistant reply")
    for k, message in enumerate(turns):
        expected = "user" if k % 2 == 0 else "assistant"
        if message.role != expected:
            raise Unconvertible(
                f"{target} needs alternating user/assistant turns; turn {k} is {message.role}"
            )
    if record.tools:
        losses["tools"] += 1
    system = "\n\n".join(p for p in system_parts) if system_parts else None
    return system, turns


def _merge_consecutive(turns: list[Message]) -> list[Message]:
    """Assistant text split around a tool call reads as one reply once the call is left out."""
    merged: list[Message] = []
    for message in turns:
        if merged and merged[-1].role == message.role == "assistant":
            merged[-1] = Message(role="assistant", content=merged[-1].text + "\n\n" + message.text)
        else:
            merged.append(message)
    return merged
