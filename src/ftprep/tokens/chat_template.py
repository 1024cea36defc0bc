"""Exact counts of chat examples as a model's own chat template renders them.

Needs the ``chat-template`` extra (``transformers`` and ``jinja2``). The model directory is
loaded with ``AutoTokenizer.from_pretrained(directory, local_files_only=True)``, so nothing is
downloaded. An example's total is the length of ``apply_chat_template(messages, tools=tools)``.
Its assistant tokens are exact when the template marks replies with ``{% generation %}``
(transformers' assistant-token mask, framing tokens such as ``<|im_end|>`` included); otherwise
they are the assistant content and tool calls counted by the cookbook formula.

Messages are handed to the template in the shape transformers documents: ``None`` values and
``weight`` dropped, a list of content parts joined into one string (``\\n`` between parts), and
tool-call ``arguments`` that hold a JSON object decoded into a dict.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ftprep.errors import MissingExtraError, TokenizerError
from ftprep.tokens.base import content_texts, formula_count
from ftprep.tokens.hf import HFTokenizerCounter

_GENERATION_TAG = re.compile(r"\{%-?\s*generation\s*-?%\}")
_FEATURE = "counting tokens with a chat template"


def find_chat_template(directory: Path) -> str | None:
    """Where ``directory`` keeps a chat template, or ``None``.

    Looks at ``chat_template.jinja`` and at the ``chat_template`` key of ``tokenizer_config.json``.
    """
    if (directory / "chat_template.jinja").is_file():
        return str(directory / "chat_template.jinja")
    config = directory / "tokenizer_config.json"
    if config.is_file():
        try:
            data = json.loads(config.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise TokenizerError(f"{config}: cannot read: {exc}") from exc
        if isinstance(data, dict) and data.get("chat_template"):
            return f"{config}: chat_template"
    return None


def missing_chat_template_module() -> str | None:
    """The first module of the ``chat-template`` extra that is not importable, or ``None``."""
    for module in ("transformers", "jinja2"):
        if importlib.util.find_spec(module) is None:
            return module
    return None


class _NoTorchAdvice(logging.Filter):
    """Drops transformers' import-time "PyTorch was not found" advice: ftprep needs no models."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "PyTorch was not found" not in record.getMessage()


def _auto_tokenizer() -> Any:
    missing = missing_chat_template_module()
    if missing is not None:
        raise MissingExtraError(_FEATURE, "chat-template", missing)
    logger = logging.getLogger("transformers")
    if not any(isinstance(f, _NoTorchAdvice) for f in logger.filters):
        logger.addFilter(_NoTorchAdvice())
    from transformers import AutoTokenizer

    return AutoTokenizer


def template_message(message: dict[str, Any]) -> dict[str, Any]:
    """``message`` in the shape chat templates expect (see the module docstring)."""
    out = {k: v for k, v in message.items() if v is not None and k != "weight"}
    content = out.get("content")
    if isinstance(content, list):
        out["content"] = "\n".join(content_texts(content))
    calls = out.get("tool_calls")
    if isinstance(calls, list):
        out["tool_calls"] = [_template_call(call) for call in calls]
    return out


def _template_call(call: Any) -> Any:
    function = call.get("function") if isinstance(call, dict) else None
    if not isinstance(function, dict) or not isinstance(function.get("arguments"), str):
        return call
    arguments = function["arguments"]
    try:
        decoded = json.loads(arguments)
    except ValueError:
        return call
    if not isinstance(decoded, dict):
        return call
    return {**call, "function": {**function, "arguments": decoded}}


class ChatTemplateCounter:
    """Counts chat examples with the chat template of the model directory ``directory``.

    ``count`` (plain text) uses the directory's ``tokenizer.json`` without special tokens.
    """

    approximate = False
    note: str | None = None

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        auto = _auto_tokenizer()
        self._plain = HFTokenizerCounter(self.directory / "tokenizer.json")
        try:
            self._tokenizer = auto.from_pretrained(str(self.directory), local_files_only=True)
        except Exception as exc:  # transformers raises OSError, ValueError, KeyError...
            raise TokenizerError(
                f"{self.directory}: transformers cannot load this tokenizer: {exc}; "
                f"pass {self.directory / 'tokenizer.json'} to count without the chat template"
            ) from exc
        template = getattr(self._tokenizer, "chat_template", None)
        if not template:
            raise TokenizerError(f"{self.directory}: the tokenizer has no chat template")
        templates = template.values() if isinstance(template, dict) else [template]
        self.exact_assistant = any(_GENERATION_TAG.search(t) for t in templates)
        self.name = f"hf-chat-template:{self.directory}"

    def count(self, text: str) -> int:
        """Tokens of ``text``."""
        return self._plain.count(text)

    def count_messages(
        self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None
    ) -> tuple[int, int]:
        """``(total, assistant)`` tokens of a chat example rendered by the chat template.

        Raises :class:`TokenizerError` when the template fails on the example (templates raise
        on roles or orders they do not support).
        """
        if not messages:
            return 0, 0
        conversation = [template_message(m) for m in messages]
        try:
            out = self._tokenizer.apply_chat_template(
                conversation,
                tools=tools or None,
                tokenize=True,
                return_dict=True,
                return_assistant_tokens_mask=self.exact_assistant,
            )
        except Exception as exc:  # jinja2 TemplateError, raise_exception(), TypeError...
            raise TokenizerError(f"chat template of {self.directory} failed: {exc}") from exc
        # transformers 4.x returns a list of ids when return_dict is ignored; 5.x a BatchEncoding.
        ids = out["input_ids"] if isinstance(out, Mapping) else out
        total = len(ids)
        if self.exact_assistant and isinstance(out, Mapping) and "assistant_masks" in out:
            return total, int(sum(out["assistant_masks"]))
        replies = [m for m in messages if m.get("role") == "assistant"]
        return total, formula_count(self.count, replies)[1]

    def __repr__(self) -> str:
        return f"ChatTemplateCounter({self.name!r})"
