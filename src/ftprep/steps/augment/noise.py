"""``augment.noise``: typo, casing, abbreviation and punctuation noise in user turns; no model."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from typing import Any, ClassVar, Literal

from pydantic import Field

from ftprep.record import Record
from ftprep.steps.augment.variant import VariantCheck, variant, variant_rng
from ftprep.steps.base import Expansion, StepParams, TransformStep
from ftprep.steps.clean.whitespace import split_code

Noise = Literal["typos", "casing", "abbreviations", "punctuation"]
_ALL_NOISE: tuple[Noise, ...] = ("typos", "casing", "abbreviations", "punctuation")

#: the keys next to each letter on a QWERTY keyboard
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEAR: dict[str, str] = {}
for r, row in enumerate(_ROWS):
    for c, key in enumerate(row):
        near = [row[c - 1] if c else "", row[c + 1] if c + 1 < len(row) else ""]
        for other in (r - 1, r + 1):
            if 0 <= other < len(_ROWS):
                near += _ROWS[other][max(c - 1, 0) : c + 2]
        _NEAR[key] = "".join(sorted(set("".join(near)) - {key}))

#: informal forms, longest phrases first
ABBREVIATIONS = {
    "i don't know": "idk",
    "to be honest": "tbh",
    "by the way": "btw",
    "as soon as possible": "asap",
    "thank you": "ty",
    "thanks": "thx",
    "please": "pls",
    "because": "bc",
    "without": "w/o",
    "with": "w/",
    "you": "u",
    "your": "ur",
    "are": "r",
    "people": "ppl",
    "tomorrow": "tmrw",
    "message": "msg",
    "information": "info",
    "about": "abt",
    "really": "rly",
    "okay": "ok",
}
_ABBREVIATION = re.compile(
    r"\b(" + "|".join(re.escape(k) for k in ABBREVIATIONS) + r")\b", re.IGNORECASE
)
_WORD = re.compile(r"[A-Za-z]{3,}")
_PROTECTED = re.compile(r"\S*(?:\d|@|://|www\.)\S*")  # numbers, emails, links stay exact


class ProseParams(StepParams):
    """What every seeded, model-free augmentation of prose has."""

    n: int = Field(1, ge=1, le=20, description="Variants per record.")
    roles: list[str] = Field(default_factory=lambda: ["user"], description="Turns to change.")
    seed: int = Field(0, description="The same seed and record give the same variants.")
    keep_original: bool = Field(True, description="Write the original record too.")


class NoiseParams(ProseParams):
    kinds: list[Noise] = Field(
        default_factory=lambda: list(_ALL_NOISE),
        description="What noise to add: `typos` (near keys, dropped, doubled and swapped "
        "letters), `casing` (all lower case), `abbreviations` (you -> u, please -> pls...), "
        "`punctuation` (final stops and apostrophes dropped).",
    )
    rate: float = Field(0.08, gt=0, le=1, description="Share of words given a typo.")


class ProseAugmenter(TransformStep):
    """Base of the seeded, model-free augmentations: ``n`` variants of each record whose turns of
    ``roles`` have their prose changed by :meth:`_words` (code blocks, inline code, numbers,
    emails and links left exactly as they are), each checked like real data."""

    #: the variant kind, in ids (``<id>#<kind>-k``) and metadata
    variant_kind: ClassVar[str]
    expands: ClassVar[bool] = True
    params: ProseParams

    def setup(self) -> None:
        self._check = VariantCheck()

    def _info(self) -> dict[str, Any]:
        """What goes in ``metadata.augment`` beside the kind."""
        return {}

    def _words(self, text: str, rng: random.Random) -> str:
        raise NotImplementedError

    def transform(self, record: Record) -> Expansion:
        p = self.params
        if record.is_text:
            return [record]
        variants = []
        for k in range(1, p.n + 1):
            rng = variant_rng(p.seed, record, k)
            v = variant(record, self.variant_kind, k, self._info())
            changed = False
            for m in v.messages:
                if m.role in p.roles and isinstance(m.content, str) and m.content.strip():
                    new = self.noisy(m.content, rng)
                    changed = changed or new != m.content
                    m.content = new
            if changed:
                variants.append(v)
        self.count("variants", len(variants))
        return self._check(record, variants, p.keep_original)

    def noisy(self, text: str, rng: random.Random) -> str:
        """``text`` with its prose changed (code and protected tokens left alone)."""
        return in_prose(text, lambda prose: self._words(prose, rng))


def in_prose(text: str, change: Callable[[str], str]) -> str:
    """``text`` with ``change`` applied to its prose: code blocks, inline code, numbers, emails
    and links are left exactly as they are."""
    out: list[str] = []
    for piece, code in split_code(text):
        if code:
            out.append(piece)
            continue
        last = 0
        for m in _PROTECTED.finditer(piece):  # changes between the protected tokens only
            out.append(change(piece[last : m.start()]))
            out.append(m.group(0))
            last = m.end()
        out.append(change(piece[last:]))
    return "".join(out)


class NoiseAugmenter(ProseAugmenter):
    """Make informal, typo-ridden variants of the user turns, as real users type: seeded, no model.

    Each variant applies the chosen kinds of noise to every turn of ``roles``, leaving code
    blocks, inline code, numbers, emails and links exactly as they are; the replies are kept, so
    the model learns to answer messy input well. Variants that would no longer pass the
    validator are rejected, never written.

    Reads: the texts of ``roles`` (string contents).
    Writes: ``n`` new records per record (ids ``<id>#noise-k``, ``metadata.parent_id``,
    ``metadata.augment`` = {kind: noise, noise: [...]}); counts ``variants``.
    Drops: nothing of the input; a variant that fails validation is rejected as
    ``augment_invalid``.
    """

    id: ClassVar[str] = "augment.noise"
    variant_kind: ClassVar[str] = "noise"
    Params = NoiseParams
    params: NoiseParams

    def _info(self) -> dict[str, Any]:
        return {"noise": list(self.params.kinds)}

    def _words(self, text: str, rng: random.Random) -> str:
        kinds = self.params.kinds
        if "abbreviations" in kinds:
            text = _ABBREVIATION.sub(
                lambda m: ABBREVIATIONS[m.group(0).lower()] if rng.random() < 0.6 else m.group(0),
                text,
            )
        if "casing" in kinds:
            text = text.lower()
        if "punctuation" in kinds:
            text = text.replace("'", "").replace("’", "")
            text = re.sub(r"[.!]+(?=\s*$)", "", text)
        if "typos" in kinds:
            text = _WORD.sub(lambda m: _typo(m.group(0), rng, self.params.rate), text)
        return text


def _typo(word: str, rng: random.Random, rate: float) -> str:
    if rng.random() >= rate:
        return word
    i = rng.randrange(1, len(word))  # the first letter stays: words remain recognisable
    kind = rng.randrange(4)
    if kind == 0:
        near = _NEAR.get(word[i].lower(), "")
        return word[:i] + (rng.choice(near) if near else word[i]) + word[i + 1 :]
    if kind == 1:
        return word[:i] + word[i + 1 :]
    if kind == 2:
        return word[:i] + word[i] + word[i:]
    if i + 1 < len(word):
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + word[i] + word[i:]
