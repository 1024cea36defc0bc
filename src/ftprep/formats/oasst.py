"""OpenAssistant (OASST) message trees: one row per tree, each message with its ``replies``.

Each root-to-leaf path becomes one conversation; the conversations of one tree share
``metadata.group_id`` (the tree id), so a split grouped by it keeps siblings together. The ids,
ranks and flags of the messages on the path are kept in metadata. Read-only.
"""

from __future__ import annotations

from typing import Any

from ftprep.errors import FormatError
from ftprep.formats.base import Format, require_object, where
from ftprep.record import Message, Provenance, Record

_ROLES = {"prompter": "user", "assistant": "assistant"}
_MAX_DEPTH = 1000


class OasstTreeFormat(Format):
    name = "oasst"
    description = "OpenAssistant message trees (read-only): one conversation per root-to-leaf path"
    writable = False

    def detect(self, row: dict[str, Any]) -> float:
        return 1.0 if "message_tree_id" in row and isinstance(row.get("prompt"), dict) else 0.0

    def parse(self, row: Any, source: Provenance | None = None) -> list[Record]:
        row = require_object(row, source)
        root = row.get("prompt")
        if not isinstance(root, dict):
            raise FormatError("missing the root message", field="prompt", **where(source))
        tree_id = str(row.get("message_tree_id") or root.get("message_id"))
        tree_meta = {k: v for k, v in row.items() if k not in ("prompt", "message_tree_id")}
        records = []
        for path in _paths(root, source):
            leaf = path[-1]
            metadata: dict[str, Any] = {
                "source": "oasst",
                "group_id": tree_id,
                "parent_id": leaf.get("parent_id"),
                "lang": root.get("lang"),
                "message_ids": [m.get("message_id") for m in path],
                "ranks": [m.get("rank") for m in path],
                "synthetic": any(bool(m.get("synthetic")) for m in path),
                "deleted": any(bool(m.get("deleted")) for m in path),
                **tree_meta,
            }
            messages = [_message(m, i, source) for i, m in enumerate(path)]
            records.append(
                Record(
                    id=str(leaf.get("message_id")),
                    messages=messages,
                    metadata={k: v for k, v in metadata.items() if v is not None},
                    source=source,
                )
            )
        return records


def _message(raw: dict[str, Any], depth: int, source: Provenance | None) -> Message:
    role = _ROLES.get(str(raw.get("role")))
    if role is None:
        raise FormatError(
            f"unknown OASST role {raw.get('role')!r} (expected prompter or assistant)",
            field=f"message at depth {depth}.role",
            code="unknown_role",
            **where(source),
        )
    text = raw.get("text")
    if text is not None and not isinstance(text, str):
        raise FormatError(
            "must be a string", field=f"message at depth {depth}.text", **where(source)
        )
    return Message(role=role, content=text)


def _paths(root: dict[str, Any], source: Provenance | None) -> list[list[dict[str, Any]]]:
    """Every root-to-leaf path, depth first, without recursion (trees can be deep)."""
    paths: list[list[dict[str, Any]]] = []
    stack: list[list[dict[str, Any]]] = [[root]]
    while stack:
        path = stack.pop()
        if len(path) > _MAX_DEPTH:
            raise FormatError(
                f"tree deeper than {_MAX_DEPTH} messages", field="prompt", **where(source)
            )
        replies = path[-1].get("replies") or []
        children = [r for r in replies if isinstance(r, dict)]
        if not children:
            paths.append(path)
        stack.extend([*path, child] for child in reversed(children))
    return paths
