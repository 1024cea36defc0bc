"""Ready for the trainers: the Axolotl ``datasets:`` snippet and the LLaMA-Factory
``dataset_info.json`` entry that load a run's outputs as they are written.

Each output becomes one entry: OpenAI-chat JSONL as Axolotl's ``chat_template`` type over
``messages`` (role/content) and LLaMA-Factory's ``sharegpt`` formatting with OpenAI tags;
ShareGPT as the same over ``conversations`` (from/value); Alpaca as ``alpaca`` in both. A split
named ``test``, ``validation`` or ``eval`` goes to Axolotl's ``test_datasets``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

HELD_OUT = frozenset({"test", "validation", "eval", "dev"})


def axolotl_snippet(outputs: list[tuple[Path, str, str | None]], base: Path) -> str:
    """The ``datasets:`` (and ``test_datasets:``) YAML for ``(path, format, split)`` outputs,
    with paths relative to ``base`` (the folder the config will sit in)."""
    train: list[dict[str, Any]] = []
    test: list[dict[str, Any]] = []
    for path, fmt, split in outputs:
        entry = _axolotl_entry(relative_path(path, base), fmt)
        if entry is None:
            continue
        (test if split in HELD_OUT else train).append(entry)
    doc: dict[str, Any] = {"datasets": train}
    if test:
        doc["test_datasets"] = test
    header = "# Axolotl: paste into your config (paths are relative to this file's folder)\n"
    return header + yaml.safe_dump(doc, sort_keys=False)


def _axolotl_entry(path: str, fmt: str) -> dict[str, Any] | None:
    if fmt == "openai":
        return {
            "path": path,
            "ds_type": "json",
            "type": "chat_template",
            "field_messages": "messages",
            "message_property_mappings": {"role": "role", "content": "content"},
        }
    if fmt == "sharegpt":
        return {
            "path": path,
            "ds_type": "json",
            "type": "chat_template",
            "field_messages": "conversations",
            "message_property_mappings": {"role": "from", "content": "value"},
        }
    if fmt == "alpaca":
        return {"path": path, "ds_type": "json", "type": "alpaca"}
    return None


def llamafactory_entries(
    outputs: list[tuple[Path, str, str | None]], base: Path, name: str
) -> dict[str, Any]:
    """``dataset_info.json`` entries, one per output (``name``, or ``name_<split>``)."""
    entries: dict[str, Any] = {}
    for path, fmt, split in outputs:
        entry = _llamafactory_entry(relative_path(path, base), fmt)
        if entry is not None:
            entries[name if split in (None, "train") else f"{name}_{split}"] = entry
    return entries


def _llamafactory_entry(path: str, fmt: str) -> dict[str, Any] | None:
    if fmt == "openai":
        return {
            "file_name": path,
            "formatting": "sharegpt",
            "columns": {"messages": "messages", "tools": "tools"},
            "tags": {
                "role_tag": "role",
                "content_tag": "content",
                "user_tag": "user",
                "assistant_tag": "assistant",
                "system_tag": "system",
                "observation_tag": "tool",
            },
        }
    if fmt == "sharegpt":
        return {
            "file_name": path,
            "formatting": "sharegpt",
            "columns": {"messages": "conversations", "system": "system", "tools": "tools"},
        }
    if fmt == "alpaca":
        return {
            "file_name": path,
            "columns": {
                "prompt": "instruction",
                "query": "input",
                "response": "output",
                "system": "system",
                "history": "history",
            },
        }
    return None


def relative_path(path: Path, base: Path) -> str:
    """``path`` relative to ``base`` (as posix), or absolute when it lies outside."""
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return str(path.resolve())
