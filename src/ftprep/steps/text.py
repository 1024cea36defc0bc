"""Reaching the texts of a record: message contents (strings and text parts) and plain text.

Steps that look at or rewrite text use these, so that every step treats typed content parts,
tool-call-only turns and plain-text records the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator

from ftprep.record import TEXT_PART_TYPES, Record

#: the role a plain-text record's ``text`` is given when steps select texts by role
TEXT_ROLE = "text"


def iter_texts(record: Record, roles: Collection[str] | None = None) -> Iterator[tuple[str, str]]:
    """``(role, text)`` for every text of ``record``: each string content, each text part, and a
    plain-text record's ``text`` (with role ``"text"``). ``roles`` limits the roles looked at."""
    if record.text is not None and not record.messages:
        if roles is None or TEXT_ROLE in roles:
            yield TEXT_ROLE, record.text
        return
    for message in record.messages:
        if roles is not None and message.role not in roles:
            continue
        content = message.content
        if isinstance(content, str):
            yield message.role, content
        elif isinstance(content, list):
            for part in content:
                key = _text_key(part)
                if key is not None:
                    yield message.role, part[key]


def all_texts(record: Record) -> list[str]:
    """The texts of :func:`iter_texts` (every role), as a list: a plain loop for the common
    record of string contents, cheaper than the generator."""
    if record.text is None or record.messages:
        out = []
        for message in record.messages:
            content = message.content
            if type(content) is str:
                out.append(content)
            elif content is not None:  # text parts: the general way
                break
        else:
            return out
    return [text for _, text in iter_texts(record)]


def map_texts(
    record: Record, fn: Callable[[str], str], roles: Collection[str] | None = None
) -> int:
    """Replace every text of ``record`` (see :func:`iter_texts`) by ``fn(text)``; returns how many
    texts changed."""
    changed = 0
    if record.text is not None and not record.messages:
        if roles is None or TEXT_ROLE in roles:
            new = fn(record.text)
            if new != record.text:
                record.text = new
                changed += 1
        return changed
    for message in record.messages:
        if roles is not None and message.role not in roles:
            continue
        content = message.content
        if isinstance(content, str):
            new = fn(content)
            if new != content:
                message.content = new
                changed += 1
        elif isinstance(content, list):
            for part in content:
                key = _text_key(part)
                if key is not None:
                    new = fn(part[key])
                    if new != part[key]:
                        part[key] = new
                        changed += 1
    return changed


def _text_key(part: object) -> str | None:
    if not isinstance(part, dict) or part.get("type", "text") not in TEXT_PART_TYPES:
        return None
    for key in ("text", "value"):
        if isinstance(part.get(key), str):
            return key
    return None
