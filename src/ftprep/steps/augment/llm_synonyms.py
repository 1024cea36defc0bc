"""``augment.llm_synonyms``: words of user turns replaced by synonyms an LLM picked for their
context."""

from __future__ import annotations

import asyncio
import re
from functools import partial
from typing import Any, ClassVar

from pydantic import BaseModel, Field

from ftprep.llm import ask
from ftprep.llm.prompts import chat as prompt_chat
from ftprep.record import Record
from ftprep.steps.augment.noise import in_prose
from ftprep.steps.augment.synonyms import WORD, replace_words
from ftprep.steps.augment.variant import VariantCheck, variant, variant_rng
from ftprep.steps.base import Expansion, LLMStep, Reject
from ftprep.steps.llm.prompted import PromptedParams

#: words never worth asking about: function words, pronouns, auxiliaries
STOPWORDS = frozenset(
    """about above after again against also because been before being below between both
    could does doing down during each either even ever every from further have having here
    hers herself himself into itself just more most much must myself neither only other ought
    ours ourselves over same shall should some such than that their theirs them themselves then
    there these they this those through under until upon very were what when where which while
    whom whose will with within without would yours yourself yourselves please thanks thank
    """.split()  # noqa: SIM905 (a word list reads better than 90 quoted strings)
)
#: what a usable synonym looks like: at most three plain words
_SYNONYM = re.compile(r"[A-Za-z][A-Za-z'-]*(?: [A-Za-z][A-Za-z'-]*){0,2}")


class WordSynonyms(BaseModel):
    word: str
    synonyms: list[str]


class SynonymReply(BaseModel):
    words: list[WordSynonyms]


class LLMSynonymParams(PromptedParams):
    templates: ClassVar[tuple[str, str]] = ("synonyms_system", "synonyms_user")

    n: int = Field(1, ge=1, le=20, description="Variants per record.")
    rate: float = Field(0.3, gt=0, le=1, description="Share of the offered words replaced.")
    roles: list[str] = Field(default_factory=lambda: ["user"], description="Turns to change.")
    seed: int = Field(0, description="The same seed, record and answers give the same variants.")
    max_words: int = Field(
        12, ge=1, le=50, description="Words of a turn asked about (its first distinct ones)."
    )
    temperature: float = Field(0.2, ge=0, le=2, description="Sampling temperature.")
    max_tokens: int = Field(512, ge=16, description="Longest answer, in tokens.")
    reasks: int = Field(2, ge=0, le=5, description="Asks again after an unusable answer.")
    keep_original: bool = Field(True, description="Write the original record too.")

    def sample_values(self) -> dict[str, Any]:
        return {"text": "", "words": ["word"]}


def candidate_words(text: str, limit: int) -> list[str]:
    """The first ``limit`` distinct words (lower case) of ``text``'s prose worth a synonym:
    four letters or more, not a function word; code, numbers, emails and links are skipped."""
    found: dict[str, None] = {}

    def collect(prose: str) -> str:
        for m in WORD.finditer(prose):
            word = m.group(0).lower()
            if len(found) < limit and len(word) >= 4 and word not in STOPWORDS:
                found.setdefault(word)
        return prose

    in_prose(text, collect)
    return list(found)


def synonym_table(asked: list[str], reply: SynonymReply) -> dict[str, tuple[str, ...]]:
    """The usable part of an answer: for words that were asked about, up to three synonyms that
    are one to three plain words and not the word itself."""
    wanted = set(asked)
    table: dict[str, tuple[str, ...]] = {}
    for entry in reply.words:
        word = entry.word.strip().lower()
        if word not in wanted or word in table:
            continue
        options: dict[str, None] = {}
        for s in entry.synonyms:
            s = " ".join(str(s).split())
            if _SYNONYM.fullmatch(s) and s.lower() != word and s.lower() not in options:
                options[s.lower()] = None
        if options:
            table[word] = tuple(options)[:3]
    return table


class LLMSynonymAugmenter(LLMStep):
    """Make variants of the user turns with words replaced by synonyms an LLM chose for them in
    context (the model-free ``augment.synonyms`` uses a fixed list instead).

    For each turn of ``roles``, the model is shown the turn (fenced as data) and its first
    ``max_words`` distinct content words, and asked for synonyms that fit there; answers for
    words not asked about, and synonyms longer than three words or not plain words, are dropped.
    Each of the ``n`` variants then replaces the offered words at ``rate``, seeded per record
    and variant, in the word's capitalisation; code blocks, inline code, numbers, emails and
    links are left as they are, and the replies are kept. Variants that would not pass the
    validator are rejected, never written.

    Reads: the texts of ``roles`` (string contents).
    Writes: up to ``n`` new records per record (ids ``<id>#llm-synonyms-k``,
    ``metadata.parent_id``, ``metadata.augment`` = {kind: llm-synonyms, rate, model});
    counts ``variants``, ``words_asked``, ``words_with_synonyms``, ``no_words`` (records with
    nothing to ask about, written as they are).
    Drops: nothing of the input; variants as ``augment_invalid``; ``llm_error`` and
    ``llm_unusable_reply`` when no usable answer could be had (the original is then rejected
    too, for nothing can be said of it).
    """

    id: ClassVar[str] = "augment.llm_synonyms"
    variant_kind: ClassVar[str] = "llm-synonyms"
    expands: ClassVar[bool] = True
    Params = LLMSynonymParams
    params: LLMSynonymParams

    def setup(self) -> None:
        super().setup()
        self._check = VariantCheck()
        self._system, self._user = self.params.prompts()

    async def process(self, record: Record) -> Record | Reject | Expansion:
        p = self.params
        asked = {
            i: words
            for i, m in enumerate(record.messages)
            if m.role in p.roles
            and isinstance(m.content, str)
            and (words := candidate_words(m.content, p.max_words))
        }
        if not asked:
            self.count("no_words")
            return [record]
        tables = dict(
            zip(
                asked,
                await asyncio.gather(
                    *(self._synonyms(str(record.messages[i].content), w) for i, w in asked.items())
                ),
                strict=True,
            )
        )
        self.count("words_asked", sum(len(w) for w in asked.values()))
        self.count("words_with_synonyms", sum(len(t) for t in tables.values()))
        assert self.client is not None
        info = {"rate": p.rate, "model": self.client.provider.model}
        variants = []
        for k in range(1, p.n + 1):
            rng = variant_rng(p.seed, record, k)
            v = variant(record, self.variant_kind, k, info)
            changed = False
            for i, table in tables.items():
                if not table:
                    continue
                m = v.messages[i]
                old = str(m.content)
                m.content = in_prose(old, partial(replace_words, table=table, rate=p.rate, rng=rng))
                changed = changed or m.content != old
            if changed:
                variants.append(v)
        self.count("variants", len(variants))
        return self._check(record, variants, p.keep_original)

    async def _synonyms(self, text: str, words: list[str]) -> dict[str, tuple[str, ...]]:
        assert self.client is not None
        p = self.params
        messages = prompt_chat(self._system, self._user, text=text, words=words)
        reply, _ = await ask(
            self.client,
            messages,
            SynonymReply,
            reasks=p.reasks,
            temperature=p.temperature,
            max_tokens=p.max_tokens,
        )
        return synonym_table(words, reply)
