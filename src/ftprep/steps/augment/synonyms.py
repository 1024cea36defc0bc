"""``augment.synonyms``: words of user turns replaced by synonyms from an offline list."""

from __future__ import annotations

import random
import re
from typing import Any, ClassVar

from pydantic import Field

from ftprep.steps.augment.noise import ProseAugmenter, ProseParams

#: common words of requests and their everyday synonyms (all interchangeable in most contexts)
SYNONYMS: dict[str, tuple[str, ...]] = {
    "help": ("assist", "support"),
    "buy": ("purchase", "get"),
    "purchase": ("buy",),
    "get": ("obtain", "receive"),
    "receive": ("get",),
    "send": ("ship", "mail"),
    "quick": ("fast", "rapid"),
    "fast": ("quick", "speedy"),
    "big": ("large", "huge"),
    "large": ("big",),
    "small": ("little", "tiny"),
    "problem": ("issue", "trouble"),
    "issue": ("problem",),
    "error": ("mistake", "fault"),
    "broken": ("damaged", "faulty"),
    "damaged": ("broken",),
    "start": ("begin",),
    "begin": ("start",),
    "end": ("finish",),
    "finish": ("complete", "end"),
    "change": ("modify", "update"),
    "update": ("change",),
    "modify": ("change", "adjust"),
    "remove": ("delete",),
    "delete": ("remove", "erase"),
    "show": ("display",),
    "explain": ("describe", "clarify"),
    "describe": ("explain",),
    "tell": ("inform",),
    "need": ("require",),
    "want": ("would like", "wish"),
    "find": ("locate",),
    "look": ("search",),
    "answer": ("reply", "response"),
    "reply": ("answer", "response"),
    "question": ("query",),
    "order": ("purchase",),
    "money": ("funds", "cash"),
    "price": ("cost",),
    "cost": ("price",),
    "cheap": ("inexpensive", "affordable"),
    "expensive": ("costly", "pricey"),
    "easy": ("simple", "straightforward"),
    "simple": ("easy", "basic"),
    "hard": ("difficult", "tough"),
    "difficult": ("hard", "tricky"),
    "good": ("great", "fine"),
    "great": ("excellent", "good"),
    "bad": ("poor", "terrible"),
    "happy": ("glad", "pleased"),
    "angry": ("upset", "annoyed"),
    "sad": ("unhappy",),
    "idea": ("thought", "suggestion"),
    "example": ("instance", "sample"),
    "way": ("method", "approach"),
    "method": ("way", "approach"),
    "job": ("task", "work"),
    "task": ("job", "assignment"),
    "buyer": ("customer",),
    "customer": ("client", "buyer"),
    "choose": ("pick", "select"),
    "pick": ("choose", "select"),
    "select": ("choose", "pick"),
    "fix": ("repair", "solve"),
    "repair": ("fix",),
    "solve": ("fix", "resolve"),
    "maybe": ("perhaps", "possibly"),
    "often": ("frequently",),
    "usually": ("normally", "typically"),
    "really": ("truly", "very"),
    "very": ("really", "quite"),
    "soon": ("shortly",),
    "now": ("right now", "currently"),
    "also": ("too", "as well"),
    "enough": ("sufficient",),
    "wrong": ("incorrect",),
    "correct": ("right", "accurate"),
    "right": ("correct",),
    "important": ("essential", "key"),
    "main": ("primary", "principal"),
    "whole": ("entire", "complete"),
    "entire": ("whole",),
    "allow": ("let", "permit"),
    "try": ("attempt",),
    "use": ("utilize", "employ"),
    "make": ("create", "build"),
    "create": ("make", "build"),
    "build": ("create", "construct"),
    "keep": ("retain", "hold"),
    "stop": ("halt", "cease"),
    "work": ("function", "operate"),
    "write": ("compose", "draft"),
    "list": ("enumerate",),
    "check": ("verify", "confirm"),
    "confirm": ("verify", "check"),
    "cancel": ("call off", "void"),
    "arrive": ("come", "get here"),
    "instead": ("rather",),
    "about": ("regarding", "concerning"),
}
WORD = re.compile(r"\b[A-Za-z]+\b")


class SynonymParams(ProseParams):
    rate: float = Field(0.3, gt=0, le=1, description="Share of listed words replaced.")
    extra: dict[str, list[str]] = Field(
        default_factory=dict,
        description="More synonyms (word: [synonyms]), added to and overriding the built-in "
        "list of common request words.",
    )


class SynonymAugmenter(ProseAugmenter):
    """Make variants of the user turns with words replaced by synonyms: seeded, no model.

    Words of an offline list of common request words (help, buy, problem, explain, cheap...;
    ``extra`` adds or overrides entries) are replaced at ``rate`` by one of their synonyms,
    keeping the word's capitalisation; code blocks, inline code, numbers, emails and links are
    left as they are, and the replies are kept. Variants that would no longer pass the
    validator are rejected, never written. For synonyms an LLM picks in context, use
    ``augment.llm_synonyms``; for rewording beyond single words, ``augment.paraphrase``.

    Reads: the texts of ``roles`` (string contents).
    Writes: ``n`` new records per record (ids ``<id>#synonyms-k``, ``metadata.parent_id``,
    ``metadata.augment`` = {kind: synonyms, rate}); counts ``variants``.
    Drops: nothing of the input; a variant that fails validation is rejected as
    ``augment_invalid``.
    """

    id: ClassVar[str] = "augment.synonyms"
    variant_kind: ClassVar[str] = "synonyms"
    Params = SynonymParams
    params: SynonymParams

    def setup(self) -> None:
        super().setup()
        table = dict(SYNONYMS)
        table.update({k.lower(): tuple(v) for k, v in self.params.extra.items() if v})
        self._table = table

    def _info(self) -> dict[str, Any]:
        return {"rate": self.params.rate}

    def _words(self, text: str, rng: random.Random) -> str:
        return replace_words(text, self._table, self.params.rate, rng)


def replace_words(
    text: str, table: dict[str, tuple[str, ...]], rate: float, rng: random.Random
) -> str:
    """``text`` with each word found in ``table`` (lower-case keys) replaced, at ``rate``, by one
    of its synonyms in the word's capitalisation."""

    def swap(m: re.Match[str]) -> str:
        word = m.group(0)
        options = table.get(word.lower())
        if not options or rng.random() >= rate:
            return word
        new = rng.choice(options)
        if word.isupper() and len(word) > 1:
            return new.upper()
        return new[0].upper() + new[1:] if word[0].isupper() else new

    return WORD.sub(swap, text)
