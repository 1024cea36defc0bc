"""``load_counter``: turn a ``--tokenizer`` value into a :class:`TokenCounter`.

Accepted forms, tried in this order:

- ``None``, ``""`` or ``"approx"``: :class:`ApproxCounter`;
- ``"tiktoken:NAME"``: tiktoken, ``NAME`` an encoding (``o200k_base``) or a model (``gpt-4o``);
- ``"hf:PATH"``: the ``tokenizer.json`` at ``PATH`` (or inside the directory ``PATH``), no template;
- ``"hf-chat-template:DIR"``: the chat template of the model directory ``DIR``;
- an existing path: a ``tokenizer.json`` file, or a model directory holding one. A directory
  with a chat template (``tokenizer_config.json`` ``chat_template`` or ``chat_template.jinja``)
  gets a :class:`ChatTemplateCounter` when the ``chat-template`` extra is installed, else the
  plain tokenizer with a ``note`` saying the template was not used;
- a bare known encoding (``cl100k_base``, ``o200k_base``, ``p50k_base``, ``r50k_base``) or an
  OpenAI model name: tiktoken.

Every counter's ``name`` is itself a spec that loads the same counter again.
"""

from __future__ import annotations

from pathlib import Path

from ftprep.errors import TokenizerError
from ftprep.tokens.approx import ApproxCounter
from ftprep.tokens.base import TokenCounter
from ftprep.tokens.chat_template import (
    ChatTemplateCounter,
    find_chat_template,
    missing_chat_template_module,
)
from ftprep.tokens.hf import HFTokenizerCounter
from ftprep.tokens.tiktoken_counter import KNOWN_ENCODINGS, TiktokenCounter

#: Prefixes of OpenAI model names, recognised even when tiktoken (which knows them) is missing.
_OPENAI_MODEL_PREFIXES = ("gpt-", "chatgpt-", "ft:gpt-", "o1", "o3", "o4", "text-embedding-")


def load_counter(spec: str | None) -> TokenCounter:
    """The token counter ``spec`` names (see the module docstring for the forms).

    Raises :class:`TokenizerError` for a path that does not exist, a directory without a
    ``tokenizer.json`` or an encoding that is not cached, and :class:`MissingExtraError` when
    the optional package a form needs is not installed.
    """
    spec = (spec or "").strip()
    if spec in ("", "approx"):
        return ApproxCounter()
    if spec.startswith("tiktoken:"):
        return TiktokenCounter(spec.removeprefix("tiktoken:"))
    if spec.startswith("hf:"):
        return HFTokenizerCounter(_tokenizer_file(_existing(spec.removeprefix("hf:"))))
    if spec.startswith("hf-chat-template:"):
        directory = _existing(spec.removeprefix("hf-chat-template:"))
        directory = directory if directory.is_dir() else directory.parent
        _tokenizer_file(directory)
        return ChatTemplateCounter(directory)
    path = Path(spec).expanduser()
    if path.exists():
        return _path_counter(path)
    if spec in KNOWN_ENCODINGS or spec.startswith(_OPENAI_MODEL_PREFIXES):
        return TiktokenCounter(spec)
    raise TokenizerError(
        f"{spec}: no such file or directory (expected a tokenizer.json, a model directory, "
        f"'approx', 'tiktoken:NAME' or one of {', '.join(KNOWN_ENCODINGS)})"
    )


def _existing(value: str) -> Path:
    path = Path(value).expanduser()
    if not path.exists():
        raise TokenizerError(f"{path}: no such file or directory")
    return path


def _tokenizer_file(path: Path) -> Path:
    if not path.is_dir():
        return path
    file = path / "tokenizer.json"
    if not file.is_file():
        raise TokenizerError(f"{path}: the directory holds no tokenizer.json")
    return file


def _path_counter(path: Path) -> TokenCounter:
    file = _tokenizer_file(path)
    if file == path:
        return HFTokenizerCounter(file)
    template = find_chat_template(path)
    if template is None:
        return HFTokenizerCounter(file)
    missing = missing_chat_template_module()
    if missing is None:
        return ChatTemplateCounter(path)
    return HFTokenizerCounter(
        file,
        note=(
            f"chat template in {template} not used: '{missing}' is not installed "
            "(pip install 'ftprep[chat-template]'); counts use the cookbook formula"
        ),
    )
