"""Checks of one example's shape: keys, roles, role order, content, weights.

Works on the raw OpenAI-shaped dict, not on a typed record: a validator must describe data that a
typed record cannot even hold (a message without a role, a weight of 2). Everything here is on the
hot path of a multi-million-line file, so the clean case costs a few dictionary look-ups.
"""

from __future__ import annotations

from typing import Any

from ftprep.validate.codes import CODES, WARNING
from ftprep.validate.content import check_text, check_texts
from ftprep.validate.findings import Collector
from ftprep.validate.toolcheck import check_tools

KNOWN_ROLES = frozenset({"system", "developer", "user", "assistant", "tool", "function"})
MESSAGE_KEYS = frozenset(
    {"role", "content", "name", "weight", "tool_calls", "tool_call_id", "function_call", "refusal"}
)
TOP_LEVEL_KEYS = frozenset(
    {"messages", "tools", "parallel_tool_calls", "functions", "id", "metadata"}
)


def check_example(
    row: Any, out: Collector, facts: dict[str, Any], *, content: bool = True
) -> list[dict[str, Any]] | None:
    """Check one example; return its messages when they are usable for token counting.

    ``facts`` receives what the file-level statistics need (the system prompt, which roles occur).
    ``content=False`` leaves out the content checks (:data:`~ftprep.validate.content.TEXT_CODES`),
    for a caller none of whose codes matter to.
    """
    if not isinstance(row, dict):
        out.add("not_an_object", detail=f"got a JSON {type(row).__name__}")
        return None
    messages = row.get("messages")
    if messages is None and isinstance(row.get("text"), str):
        out.add("plain_text_record", field="text")
        text = row["text"]
        if not text or text.isspace():
            out.add("empty_content", field="text")
        elif content:
            check_text(text, None, None, out)
        return None
    if messages is None:
        out.add("missing_messages", field="messages")
        return None
    if not isinstance(messages, list):
        out.add(
            "missing_messages",
            field="messages",
            detail=f"messages is a {type(messages).__name__}, not a list",
        )
        return None
    if not messages:
        out.add("empty_messages", field="messages")
        return None
    if not row.keys() <= TOP_LEVEL_KEYS:
        for key in row.keys() - TOP_LEVEL_KEYS:
            out.add("unrecognized_top_level_key", field=key, detail=f"unrecognized key {key!r}")
    _check_messages(messages, out, facts, content)
    if "tools" in row or facts["calls"]:
        check_tools(row, messages, out)
    return messages


#: roles whose plain string content takes the fast path
_PLAIN_ROLES = frozenset({"system", "developer", "user", "assistant"})
#: a message with only these keys, plain role and non-empty string content takes the fast path
_FAST_KEYS = frozenset({"role", "content"})


def _check_messages(
    messages: list[Any], out: Collector, facts: dict[str, Any], check_content: bool = True
) -> None:
    roles: list[str] = []
    texts: list[tuple[int | None, Any, str]] = []
    for i, message in enumerate(messages):
        if type(message) is dict and message.keys() <= _FAST_KEYS:
            role = message.get("role")
            content = message.get("content")
            if role in _PLAIN_ROLES and type(content) is str and content and not content.isspace():
                roles.append(role)
                texts.append((i, role, content))
                continue
        roles.append(_check_message(message, i, out, texts, facts))
    if texts and check_content:
        check_texts(texts, out)
    for _, role, text in texts:
        if role == "system":
            facts["system"] = text
            break
    else:
        if "system" in roles:
            facts["system"] = ""
    _check_order_once(roles, out, facts)


#: role sequences that :func:`check_order` has nothing to say about (bounded, cleared when full)
_ORDERLY: set[tuple[str, ...]] = set()
_EVERY_CODE = dict.fromkeys(CODES, WARNING)


def _check_order_once(roles: list[str], out: Collector, facts: dict[str, Any]) -> None:
    """:func:`check_order`, skipped for a role sequence already found to need no finding."""
    key = tuple(roles)
    if key in _ORDERLY:
        facts["roles"] = roles
        return
    probe = Collector(_EVERY_CODE, file="", examples=0)  # every code counts, whatever is off
    check_order(roles, probe, {})
    if not probe.counts:
        if len(_ORDERLY) >= 4096:
            _ORDERLY.clear()
        _ORDERLY.add(key)
    check_order(roles, out, facts)


def _check_message(
    message: Any,
    i: int,
    out: Collector,
    texts: list[tuple[int | None, Any, str]],
    facts: dict[str, Any],
) -> str:
    """Every check of one message that left the fast path; returns its role for the order checks."""
    if not isinstance(message, dict):
        out.add("message_not_an_object", i, detail=f"got a JSON {type(message).__name__}")
        return "?"
    role = message.get("role")
    if role is None:
        out.add("message_missing_key", i, "role")
    elif role not in KNOWN_ROLES:
        out.add("unknown_role", i, "role", f"unrecognized role {role!r}")
    elif role == "function":
        out.add("deprecated_function_role", i, "role")
    if not message.keys() <= MESSAGE_KEYS:
        for key in sorted(message.keys() - MESSAGE_KEYS):
            out.add("unrecognized_key", i, key, f"unrecognized key {key!r}")
    if "tool_calls" in message:
        facts["calls"] = True
    text = _content_text(message, role, i, out)
    if text is not None:
        texts.append((i, role, text))
    if "weight" in message:
        weight = message["weight"]
        if isinstance(weight, bool) or weight not in (0, 1):
            out.add("invalid_weight", i, "weight", f"weight is {weight!r}")
        elif role != "assistant":
            out.add("weight_on_non_assistant", i, "weight")
    if "name" in message and not isinstance(message["name"], str):
        out.add("invalid_name", i, "name")
    return role if isinstance(role, str) else "?"


def _content_text(message: dict[str, Any], role: Any, i: int, out: Collector) -> str | None:
    """The message's text for the content checks, or None when there is none to check."""
    content = message.get("content")
    if content is None:
        if not message.get("tool_calls"):
            out.add("missing_content", i, "content")
        return None
    if isinstance(content, str):
        text = content
    elif isinstance(content, list):
        text = "".join(
            str(p.get("text", p.get("value", ""))) for p in content if isinstance(p, dict)
        )
    else:
        out.add("wrong_content_type", i, "content", f"content is a {type(content).__name__}")
        return None
    if not text or text.isspace():
        if not message.get("tool_calls"):
            out.add("empty_content", i, "content")
        return None
    return text


def check_order(roles: list[str], out: Collector, facts: dict[str, Any]) -> None:
    facts["roles"] = roles
    if "assistant" not in roles:
        out.add("no_assistant_message")
    if "user" not in roles:
        out.add("no_user_message")
    if "system" not in roles and "developer" not in roles:
        out.add("no_system_message")
    elif roles[0] not in ("system", "developer"):
        first = next(k for k, r in enumerate(roles) if r in ("system", "developer"))
        out.add("system_not_first", first)
    if roles[-1] != "assistant" and "assistant" in roles:
        out.add("last_not_assistant", len(roles) - 1, detail=f"last message is {roles[-1]!r}")
    for i in range(1, len(roles)):
        if roles[i] == roles[i - 1] and roles[i] in ("user", "assistant", "system"):
            out.add("consecutive_same_role", i, detail=f"two {roles[i]} messages in a row")
