"""The :class:`TokenCounter` interface and the OpenAI-cookbook message formula.

Every counter answers two questions: how many tokens a piece of text is (``count``) and how many
tokens a whole chat example is, with the share that sits in assistant turns (``count_messages``).
Counters without a chat template (:class:`FormulaCounter` subclasses) price a conversation with
the formula of OpenAI's cookbook notebook *Data preparation and analysis for chat model
fine-tuning*, extended to tool calls and tool definitions:

- each message costs :data:`TOKENS_PER_MESSAGE` plus the tokens of its ``role``, its content text
  and its ``name`` (a name costs :data:`TOKENS_PER_NAME` more);
- each tool call costs the tokens of its function name and arguments string plus
  :data:`TOKENS_PER_TOOL_CALL`; a legacy ``function_call`` counts as one tool call;
- the list of ``tools`` costs the tokens of its compact JSON;
- the example costs :data:`REPLY_PRIMING_TOKENS` once, for the reply priming.

``tool_call_id`` and ``weight`` are routing and training metadata, not text the model reads, and
cost nothing. Assistant tokens are the tokens of assistant content and tool calls, whatever the
message's ``weight``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

#: Per-message framing, ``<|start|>{role}\n ... <|end|>`` (cookbook: ``tokens_per_message = 3``).
TOKENS_PER_MESSAGE = 3
#: Extra token when a message carries a ``name`` (cookbook: ``tokens_per_name = 1``).
TOKENS_PER_NAME = 1
#: Every reply is primed with ``<|start|>assistant<|message|>`` (cookbook: ``num_tokens += 3``).
REPLY_PRIMING_TOKENS = 3
#: Framing of one tool call beyond its name and arguments: the recipient marker, the separator
#: between name and arguments, and the call terminator. An estimate (OpenAI does not publish
#: the rendering); it matches the per-call overhead used by community token estimators.
TOKENS_PER_TOOL_CALL = 3


@runtime_checkable
class TokenCounter(Protocol):
    """Counts tokens of text and of chat examples.

    ``name`` says which tokenizer counts (``approx``, ``hf:/path/tokenizer.json``,
    ``hf-chat-template:/path``, ``tiktoken:o200k_base``); ``approximate`` is true only for the
    approximate counter, whose counts the UI labels "≈ approximate".
    """

    name: str
    approximate: bool

    def count(self, text: str) -> int:
        """Tokens of ``text``, without any special tokens a tokenizer would add around it."""
        ...

    def count_messages(
        self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None
    ) -> tuple[int, int]:
        """``(total tokens of the example, tokens in assistant turns)`` of an OpenAI chat example."""
        ...


def content_texts(content: Any) -> list[str]:
    """The text of a message ``content``: a string, ``None``, or a list of parts.

    Parts carry their text under ``text`` or ``value`` (also ``{"text": {"value": ...}}``); parts
    without text (images, audio) contribute nothing.
    """
    if isinstance(content, str):
        return [content]
    if not isinstance(content, list):
        return []
    texts = []
    for part in content:
        if isinstance(part, str):
            texts.append(part)
        elif isinstance(part, dict):
            text = part.get("text", part.get("value"))
            if isinstance(text, dict):
                text = text.get("value")
            if isinstance(text, str):
                texts.append(text)
    return texts


def tool_call_parts(message: dict[str, Any]) -> list[tuple[str, str]]:
    """``(function name, arguments string)`` of each tool call (or legacy ``function_call``)."""
    calls = message.get("tool_calls") or []
    legacy = message.get("function_call")
    functions = [call.get("function") or {} for call in calls if isinstance(call, dict)]
    if isinstance(legacy, dict):
        functions.append(legacy)
    parts = []
    for function in functions:
        name = function.get("name")
        arguments = function.get("arguments")
        if not isinstance(arguments, str):
            arguments = "" if arguments is None else compact_json(arguments)
        parts.append((name if isinstance(name, str) else "", arguments))
    return parts


def compact_json(value: Any) -> str:
    """JSON without spaces, non-ASCII kept as is: how ``tools`` are priced."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def formula_count(
    count: Callable[[str], int],
    messages: list[dict[str, Any]],
    tools: list[dict[str, Any]] | None = None,
    role_tokens: Callable[[str], int] | None = None,
) -> tuple[int, int]:
    """Apply the cookbook formula (see the module docstring) with the text counter ``count``.

    ``role_tokens`` prices a role name; it defaults to ``count``.
    """
    role_count = role_tokens or count
    total = REPLY_PRIMING_TOKENS
    assistant = 0
    for message in messages:
        role = message.get("role")
        content = message.get("content")
        if isinstance(content, str):
            body = count(content)
        else:
            body = sum(count(text) for text in content_texts(content))
        if "tool_calls" in message or "function_call" in message:
            for function, arguments in tool_call_parts(message):
                body += count(function) + count(arguments) + TOKENS_PER_TOOL_CALL
        if role == "assistant":
            assistant += body
        total += TOKENS_PER_MESSAGE + body
        if isinstance(role, str):
            total += role_count(role)
        name = message.get("name")
        if isinstance(name, str):
            total += count(name) + TOKENS_PER_NAME
    if tools:
        total += count(compact_json(tools))
    return total, assistant


class FormulaCounter:
    """Base of counters that price chat examples with :func:`formula_count`.

    Subclasses set ``name`` and implement ``count``. ``note`` is a line the UI shows beside the
    counts when the counter is not quite what was asked for (a chat template left unused for
    want of ``transformers``); ``None`` otherwise.
    """

    name: str = "formula"
    approximate: bool = False
    note: str | None = None

    def count(self, text: str) -> int:
        """Tokens of ``text``."""
        raise NotImplementedError

    def count_messages(
        self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None
    ) -> tuple[int, int]:
        """``(total, assistant)`` tokens of a chat example by the cookbook formula."""
        return formula_count(self.count, messages, tools)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"
