"""Structured answers: a pydantic schema sent as ``response_format`` where the server honours
one, and parsing that survives what small models actually return.

:func:`parse_json` finds the JSON in a reply wrapped in a code fence or prose, written with
single quotes or Python literals (``True``, ``None``), with trailing commas, or cut off in the
middle (a truncated object is closed). :func:`ask` sends a request, validates the answer against
the schema, and on failure asks again a bounded number of times, saying what was wrong; after that
it raises :class:`ReplyError` carrying the raw reply and the reason, never a row of ``None``\\ s.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ftprep.llm.client import ChatClient
from ftprep.llm.types import Completion, LLMError

T = TypeVar("T", bound=BaseModel)

_FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_+-]*)[ \t]*\n?(.*?)(?:```|\Z)", re.DOTALL)
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")
_DECODER = json.JSONDecoder(strict=False)  # raw newlines in strings, as models write them
#: a quoted string (left alone) or a bare JSON word (made Python)
_JSON_WORDS = re.compile(r"(\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*')|\b(true|false|null)\b")
_PYTHON_WORDS = {"true": "True", "false": "False", "null": "None"}


class ReplyError(LLMError):
    """An answer that could not be used: ``reason`` says why, ``raw`` is what the model said."""

    def __init__(self, reason: str, raw: str, attempts: int = 1) -> None:
        super().__init__(reason)
        self.reason = reason
        self.raw = raw
        self.attempts = attempts


def parse_json(text: str) -> Any:
    """The JSON value a reply holds (see the module doc); :class:`ValueError` when none."""
    if not text or not text.strip():
        raise ValueError("the reply is empty")
    candidates = [m.group(2) for m in _FENCE.finditer(text)]
    candidates.append(text)
    problem = "no JSON object or array in the reply"
    for candidate in candidates:
        start = _first_bracket(candidate)
        if start < 0:
            continue
        body = candidate[start:]
        for attempt in (_strict, _python, _repaired):
            try:
                return attempt(body)
            except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError) as exc:
                problem = f"not valid JSON: {exc}"
    raise ValueError(problem)


def _first_bracket(text: str) -> int:
    positions = [p for p in (text.find("{"), text.find("[")) if p >= 0]
    return min(positions) if positions else -1


def _strict(body: str) -> Any:
    value, _ = _DECODER.raw_decode(body)  # prose after the value is left alone
    return value


def _python(body: str) -> Any:
    """Single quotes, ``True``/``False``/``None``: a Python literal, up to its closing bracket."""
    end = _closing(body)
    if end < 0:
        raise ValueError("unbalanced brackets")
    text = _TRAILING_COMMA.sub(r"\1", body[: end + 1])
    text = _JSON_WORDS.sub(lambda m: m.group(1) or _PYTHON_WORDS[m.group(2)], text)
    return _plain(ast.literal_eval(text))


def _repaired(body: str) -> Any:
    """A value cut off in the middle: its open string and brackets closed, a dangling comma or
    a key without its value dropped."""
    walk = _Brackets(body)
    if not walk.open and walk.quote is None:
        raise ValueError("nothing to repair")
    text = body.rstrip() + (walk.quote or "")
    text = re.sub(r",\s*$", "", text)
    text = re.sub(r'[,{]\s*"[^"]*"\s*:?\s*$', lambda m: m.group(0)[0].replace(",", ""), text)
    closed = text + "".join("}" if b == "{" else "]" for b in reversed(walk.open))
    try:
        return _strict(_TRAILING_COMMA.sub(r"\1", closed))
    except ValueError:
        return _python(closed)


def _closing(body: str) -> int:
    """The index of the bracket closing ``body[0]``, or -1."""
    return _Brackets(body).closed_at


class _Brackets:
    """One walk over ``body``, quoted strings (single or double, with escapes) skipped: where the
    first bracket closes (``closed_at``, -1 if never), the brackets still open at the end
    (``open``), and the quote of a string still open at the end (``quote``, else None)."""

    def __init__(self, body: str) -> None:
        self.open: list[str] = []
        self.closed_at = -1
        quote: str | None = None
        escaped = False
        for i, char in enumerate(body):
            if quote is not None:
                if escaped:
                    escaped = False
                elif char == "\\":
                    escaped = True
                elif char == quote:
                    quote = None
            elif char in "\"'":
                quote = char
            elif char in "{[":
                self.open.append(char)
            elif char in "}]" and self.open:
                self.open.pop()
                if not self.open and self.closed_at < 0:
                    self.closed_at = i
        self.quote = quote


def _plain(value: Any) -> Any:
    """A literal as JSON would give it (tuples as lists); other objects are refused."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise ValueError(f"not a JSON value: {type(value).__name__}")


def parse_reply(text: str, schema: type[T]) -> T:
    """The reply as an instance of ``schema``; :class:`ValueError` naming what is wrong."""
    value = parse_json(text)
    try:
        return schema.model_validate(value)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'value'}: {e['msg']}" for e in exc.errors()
        )
        raise ValueError(f"does not match the schema: {problems}") from None


def response_format(schema: type[BaseModel]) -> dict[str, Any]:
    """The OpenAI ``response_format`` asking for ``schema``."""
    return {
        "type": "json_schema",
        "json_schema": {"name": schema.__name__, "schema": schema.model_json_schema()},
    }


async def ask(
    client: ChatClient,
    messages: Sequence[dict[str, Any]],
    schema: type[T],
    *,
    reasks: int = 2,
    sample: int = 0,
    **sampling: Any,
) -> tuple[T, Completion]:
    """The answer to ``messages`` as an instance of ``schema``, and the completion it came in.

    When an answer cannot be parsed or validated, the model is shown its answer and told what was
    wrong, up to ``reasks`` times; then :class:`ReplyError` (reason and raw reply) is raised.
    """
    fmt = response_format(schema) if client.structured else None
    conversation = list(messages)
    for attempt in range(reasks + 1):
        answer = await client.chat(conversation, response_format=fmt, sample=sample, **sampling)
        try:
            return parse_reply(answer.text, schema), answer
        except ValueError as exc:
            reason = str(exc)
        if attempt == reasks:
            raise ReplyError(reason, answer.text, attempt + 1)
        conversation = [
            *conversation,
            {"role": "assistant", "content": answer.text},
            {
                "role": "user",
                "content": f"That answer could not be used ({reason}). Reply again with only "
                "one JSON object with the fields asked for, and nothing else.",
            },
        ]
    raise AssertionError("unreachable")  # pragma: no cover
