"""Exact counts with a Hugging Face ``tokenizer.json`` (the ``tokenizers`` library).

Needs the ``tokenizers`` extra. Chat examples are priced by the cookbook formula of
:mod:`ftprep.tokens.base`; for the model's own chat template see
:mod:`ftprep.tokens.chat_template`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ftprep.errors import MissingExtraError, TokenizerError
from ftprep.tokens.base import FormulaCounter


def load_tokenizer_json(path: Path) -> Any:
    """Load ``path`` (a ``tokenizer.json``) as a ``tokenizers.Tokenizer``.

    Raises :class:`MissingExtraError` without the ``tokenizers`` extra and
    :class:`TokenizerError` when the file is missing or is not a tokenizer.
    """
    try:
        from tokenizers import Tokenizer
    except ImportError as exc:
        raise MissingExtraError(
            "counting tokens with a tokenizer.json", "tokenizers", "tokenizers"
        ) from exc
    if not path.is_file():
        raise TokenizerError(f"{path}: no such tokenizer file")
    try:
        return Tokenizer.from_file(str(path))
    except Exception as exc:  # tokenizers raises a bare Exception on malformed files
        raise TokenizerError(f"{path}: not a valid tokenizer.json: {exc}") from exc


class HFTokenizerCounter(FormulaCounter):
    """Counts with the ``tokenizer.json`` at ``path``.

    ``count`` encodes without special tokens (``add_special_tokens=False``), so a tokenizer whose
    post-processor adds BOS/EOS does not charge them to every piece of a message.
    """

    approximate = False

    def __init__(self, path: str | Path, *, note: str | None = None) -> None:
        self.path = Path(path)
        self._tokenizer = load_tokenizer_json(self.path)
        self.name = f"hf:{self.path}"
        self.note = note

    def count(self, text: str) -> int:
        """Tokens of ``text``."""
        if not text:
            return 0
        return len(self._tokenizer.encode(text, add_special_tokens=False).ids)
