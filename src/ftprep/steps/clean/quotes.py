"""``normalize.quotes``: typographic quotes (and, if asked, dashes and ellipses) to ASCII."""

from __future__ import annotations

import ast
import warnings
from typing import Any, ClassVar

import orjson
from pydantic import Field

from ftprep.record import Record
from ftprep.steps.base import StepParams, TransformStep
from ftprep.steps.clean.whitespace import split_code
from ftprep.steps.text import iter_texts, map_texts

_QUOTES = {"“": '"', "”": '"', "„": '"', "‟": '"', "‘": "'", "’": "'", "‚": "'", "‛": "'"}
_PRIMES = {"′": "'", "″": '"'}
_GUILLEMETS = {"«": '"', "»": '"', "‹": "'", "›": "'"}
_ELLIPSIS = {"…": "..."}
_DASHES = {"‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "--", "―": "--"}
#: errors ast.parse raises on text that is not Python (null bytes, deep nesting included)
_NOT_PYTHON = (SyntaxError, ValueError, RecursionError, MemoryError)


class QuoteParams(StepParams):
    quotes: bool = Field(True, description="Curly and low-9 quotes (“ ” ‘ ’ „ ‚) to \" and '.")
    primes: bool = Field(True, description="Primes (′ ″) to ' and \".")
    guillemets: bool = Field(False, description="Guillemets (« » ‹ ›) to \" and '.")
    ellipsis: bool = Field(False, description="The ellipsis character … to three dots.")
    dashes: bool = Field(False, description="En dashes and hyphens to -, em dashes to --.")
    skip_code_records: bool = Field(
        True, description="Leave a record alone when its assistant text is mostly code."
    )
    code_share: float = Field(
        0.5,
        gt=0,
        le=1,
        description="With skip_code_records: the share of the assistant text (of all texts when "
        "there is no assistant turn) in code from which a record counts as code.",
    )


class QuoteNormalizer(TransformStep):
    """Replace typographic punctuation with its ASCII form in prose, never in code.

    Code is fenced blocks and inline code spans, which keep their characters. With
    ``skip_code_records``, a record whose assistant text is mostly code (in fences, or a text
    that parses as JSON or as Python statements) is left untouched, as data about code.

    Reads: every text (message strings, text parts, a plain-text record's text).
    Writes: those texts; counts ``texts_changed`` and ``code_records_skipped``.
    Drops: nothing.
    """

    id: ClassVar[str] = "normalize.quotes"
    Params = QuoteParams
    params: QuoteParams

    def __init__(self, params: StepParams | dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(params, **kwargs)
        p = self.params
        chosen = [(p.quotes, _QUOTES), (p.primes, _PRIMES), (p.guillemets, _GUILLEMETS)]
        chosen += [(p.ellipsis, _ELLIPSIS), (p.dashes, _DASHES)]
        # a few str.replace calls beat str.translate, whose table lookups cost ~50 ns a char
        self._pairs = [(k, v) for on, table in chosen if on for k, v in table.items()]

    def transform(self, record: Record) -> Record:
        if "".join([text for _, text in iter_texts(record)]).isascii():
            return record
        if self.params.skip_code_records and self._is_code(record):
            self.count("code_records_skipped")
            return record
        changed = map_texts(record, self._fix)
        if changed:
            self.count("texts_changed", changed)
        return record

    def _fix(self, text: str) -> str:
        if text.isascii():
            return text
        if "`" not in text and "~~~" not in text:
            return self._replace(text)
        pieces = split_code(text)
        return "".join(piece if code else self._replace(piece) for piece, code in pieces)

    def _replace(self, text: str) -> str:
        for char, ascii_form in self._pairs:
            if char in text:
                text = text.replace(char, ascii_form)
        return text

    def _is_code(self, record: Record) -> bool:
        texts = [text for _, text in iter_texts(record, ["assistant"])]
        if not texts:
            texts = [text for _, text in iter_texts(record)]
        total = code = 0
        for text in texts:
            total += len(text)
            if parses_as_code(text):
                code += len(text)
            elif "`" in text or "~~~" in text:
                code += sum(len(piece) for piece, is_code in split_code(text) if is_code)
        return total > 0 and code >= self.params.code_share * total


def parses_as_code(text: str) -> bool:
    """Whether ``text`` as a whole is a JSON object or array, or Python with at least one line
    break and one statement other than a bare name or constant (a lone word parses too)."""
    text = text.strip()
    if text[:1] in ("{", "[") and text[-1:] in ("}", "]"):
        try:
            orjson.loads(text)
            return True
        except orjson.JSONDecodeError:
            pass
    if "\n" not in text or "`" in text:
        return False
    try:
        with warnings.catch_warnings():  # "invalid escape sequence" and the like
            warnings.simplefilter("ignore")
            body = ast.parse(text).body
    except _NOT_PYTHON:
        return False
    return any(not _is_bare(node) for node in body)


def _is_bare(node: ast.stmt) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Name | ast.Constant)
