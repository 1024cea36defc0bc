"""A tokenizer-free token estimate, fast enough for millions of messages.

The heuristic, chosen to need nothing but ``str`` methods that run in C:

- ASCII text (the fast path, checked with ``str.isascii``): ``ceil(len(text) / 4)``, OpenAI's
  published rule of thumb of about four characters per token of English.
- Other text: every CJK ideograph, kana or Hangul syllable (and full-width form) counts one token;
  BPE vocabularies rarely merge them and often split them. The remaining characters count
  ``ceil(utf8_bytes / 4)``, so Latin text with accents stays close to the ASCII rule while
  Cyrillic, Greek, Arabic or Hebrew (two UTF-8 bytes a character) cost about twice as much per
  character, as they do in byte-level BPEs.
- Known role names (``system``, ``user``...) are single tokens in the vocabularies of OpenAI's
  and most open models, so :class:`ApproxCounter` prices them at one token.

The error of such a rule depends on the tokenizer it stands in for, so no figure is claimed here:
pass ``--tokenizer`` for exact counts. Counts are labelled "≈ approximate" (``approximate=True``).
"""

from __future__ import annotations

import re
from typing import Any

from ftprep.tokens.base import FormulaCounter, formula_count

#: Runs of characters that count one token a character: Hangul Jamo, CJK radicals to CJK unified ideographs
#: (with kana and CJK punctuation), Yi, Hangul syllables, CJK compatibility ideographs, full-width
#: forms and the supplementary ideograph planes.
_WIDE = re.compile(
    "[\u1100-\u11ff\u2e80-\u9fff\ua000-\ua4cf\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
    "\U00020000-\U0003ffff]+"
)
_ROLE_TOKENS = {
    "system": 1,
    "developer": 1,
    "user": 1,
    "assistant": 1,
    "tool": 1,
    "function": 1,
}


def approx_tokens(text: str) -> int:
    """Estimated tokens of ``text`` by the module's heuristic."""
    if text.isascii():
        return (len(text) + 3) >> 2
    wide = sum(map(len, _WIDE.findall(text)))  # whole runs: fewer match objects
    rest = len(text.encode("utf-8", "surrogatepass")) - 3 * wide
    return wide + ((rest + 3) >> 2 if rest > 0 else 0)


def _role_tokens(role: str) -> int:
    return _ROLE_TOKENS.get(role) or approx_tokens(role)


class ApproxCounter(FormulaCounter):
    """Estimates tokens without a tokenizer (see the module docstring for the heuristic).

    Chat examples are priced by the cookbook formula of :mod:`ftprep.tokens.base`.
    """

    name = "approx"
    approximate = True

    def count(self, text: str) -> int:
        """Estimated tokens of ``text``."""
        if text.isascii():
            return (len(text) + 3) >> 2
        return approx_tokens(text)

    def count_messages(
        self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None
    ) -> tuple[int, int]:
        """``(total, assistant)`` estimated tokens of a chat example."""
        return formula_count(self.count, messages, tools, _role_tokens)
