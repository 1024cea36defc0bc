"""Alpaca rows: ``instruction``, ``input``, ``output``, and the common ``system``/``history`` variants.

The prompt is ``instruction`` and ``input`` joined by a newline, as LLaMA-Factory joins them; the split
is remembered so an Alpaca-to-Alpaca round trip gives back the same two fields. ``response`` is read
as a synonym of ``output``; ``history`` is a list of earlier ``[prompt, reply]`` pairs.
"""

from __future__ import annotations

from typing import Any

from ftprep.errors import FormatError
from ftprep.formats.base import (
    Format,
    Losses,
    apply_common,
    passthrough,
    require_object,
    require_str,
    take_common,
    where,
)
from ftprep.formats.chat import plain_dialogue
from ftprep.record import Message, Provenance, Record

_KNOWN = frozenset(
    {"instruction", "input", "output", "response", "system", "history", "id", "metadata"}
)


class AlpacaFormat(Format):
    name = "alpaca"
    description = "Alpaca: instruction, input, output (+ system, history)"

    def detect(self, row: dict[str, Any]) -> float:
        if "instruction" in row and ("output" in row or "response" in row):
            return 1.0
        return 0.3 if "instruction" in row else 0.0

    def parse(self, row: Any, source: Provenance | None = None) -> list[Record]:
        row = require_object(row, source)
        instruction = require_str(row, "instruction", source)
        query = require_str(row, "input", source, optional=True)
        output_key = "output" if "output" in row or "response" not in row else "response"
        output = require_str(row, output_key, source)
        record = Record(source=source, extra=passthrough(row, _KNOWN))
        take_common(row, record, source)
        system = row.get("system")
        if system is not None and not isinstance(system, str):
            raise FormatError("must be a string", field="system", **where(source))
        if system:
            record.messages.append(Message(role="system", content=system))
        for turn in _history(row.get("history"), source):
            record.messages.append(Message(role="user", content=turn[0]))
            record.messages.append(Message(role="assistant", content=turn[1]))
        prompt = f"{instruction}\n{query}" if query else instruction
        record.messages.append(Message(role="user", content=prompt))
        record.messages.append(Message(role="assistant", content=output))
        record.hints["alpaca"] = {
            "instruction": instruction,
            "input": query,
            "output_key": output_key,
            "has_input": "input" in row,
            "has_system": "system" in row,
        }
        return [record]

    def render(self, record: Record, losses: Losses) -> dict[str, Any]:
        system, turns = plain_dialogue(record, losses, "Alpaca")
        hint = record.hints.get("alpaca", {})
        prompt = turns[-2].text
        instruction, query = prompt, ""
        if hint and _joined(hint["instruction"], hint["input"]) == prompt:
            instruction, query = hint["instruction"], hint["input"]
        out: dict[str, Any] = {"instruction": instruction}
        if query or hint.get("has_input", True):
            out["input"] = query
        out[hint.get("output_key", "output")] = turns[-1].text
        if system is not None or hint.get("has_system"):
            out["system"] = system or ""
        if len(turns) > 2:
            out["history"] = [
                [turns[k].text, turns[k + 1].text] for k in range(0, len(turns) - 2, 2)
            ]
        for message in turns:
            if isinstance(message.content, list):
                losses["messages.content (parts flattened to text)"] += 1
        return apply_common(out, record)


def _joined(instruction: str, query: str) -> str:
    return f"{instruction}\n{query}" if query else instruction


def _history(raw: Any, source: Provenance | None) -> list[tuple[str, str]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise FormatError(
            "must be a list of [prompt, reply] pairs", field="history", **where(source)
        )
    pairs = []
    for i, pair in enumerate(raw):
        if (
            not isinstance(pair, list | tuple)
            or len(pair) != 2
            or not all(isinstance(x, str) for x in pair)
        ):
            raise FormatError(
                "must be a [prompt, reply] pair of strings", field=f"history[{i}]", **where(source)
            )
        pairs.append((pair[0], pair[1]))
    return pairs
