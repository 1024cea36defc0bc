"""A record as the text an LLM step shows its model."""

from __future__ import annotations

from ftprep.record import Record


def conversation_text(record: Record, max_chars: int) -> str:
    """Each turn as ``ROLE: text`` (tool calls as ``name(arguments)``), blank lines between; cut
    to ``max_chars`` with a note of how much was left out."""
    if record.is_text:
        parts = [record.text or ""]
    else:
        parts = []
        for m in record.messages:
            text = m.text
            for call in m.tool_calls or ():
                text += f"\n[calls {call.name}({call.arguments})]"
            parts.append(f"{m.role.upper()}: {text}")
    out = "\n\n".join(parts)
    if len(out) > max_chars:
        cut = len(out) - max_chars
        out = out[:max_chars] + f"\n[... {cut} more characters not shown]"
    return out
