"""``augment.paraphrase``: an LLM rewrites user turns, meaning kept, into new training examples."""

from __future__ import annotations

import asyncio
from typing import ClassVar, Literal

from pydantic import BaseModel, Field, model_validator

from ftprep.llm import ask
from ftprep.llm.prompts import CLOSE, OPEN, check, render, source
from ftprep.record import Record
from ftprep.steps.augment.variant import VariantCheck, variant
from ftprep.steps.base import Expansion, LLMStep, LLMStepParams, Reject


class Paraphrases(BaseModel):
    paraphrases: list[str]


class ParaphraseParams(LLMStepParams):
    n: int = Field(2, ge=1, le=10, description="Variants per record.")
    turns: Literal["last", "all"] = Field(
        "last", description="Paraphrase the `last` user turn, or `all` of them."
    )
    temperature: float = Field(0.8, ge=0, le=2, description="Sampling temperature.")
    max_tokens: int = Field(1024, ge=16, description="Longest answer, in tokens.")
    reasks: int = Field(2, ge=0, le=5, description="Asks again after an unusable answer.")
    min_ratio: float = Field(
        0.3, gt=0, description="Reject a paraphrase shorter than this share of the original."
    )
    max_ratio: float = Field(
        3.0, gt=0, description="Reject a paraphrase longer than this multiple of the original."
    )
    keep_original: bool = Field(True, description="Write the original record too.")
    system_prompt: str | None = Field(
        None, description="A Jinja2 template (file or text) replacing paraphrase_system.j2."
    )
    user_prompt: str | None = Field(
        None, description="A Jinja2 template (file or text) replacing paraphrase_user.j2."
    )

    @model_validator(mode="after")
    def _templates(self) -> ParaphraseParams:
        if self.min_ratio >= self.max_ratio:
            raise ValueError(f"min_ratio {self.min_ratio} is not below max_ratio {self.max_ratio}")
        sample = {"text": "", "n": self.n, "open": OPEN, "close": CLOSE}
        check(source(self.system_prompt, "paraphrase_system"), **sample)
        check(source(self.user_prompt, "paraphrase_user"), **sample)
        return self


class Paraphraser(LLMStep):
    """Make new examples by having an LLM paraphrase the user turns (the replies are kept).

    The model is asked for ``n`` rewrites of each chosen user turn that ask for the same thing
    in other words (the turn is fenced as data); variant ``k`` takes rewrite ``k`` of each turn.
    A rewrite that is empty, the same as the original (case and spacing aside), or whose length
    is out of ``min_ratio``..``max_ratio`` of the original's is rejected with its variant, and so
    is a variant that would not pass the validator.

    Reads: the user turns (string contents): the last one, or all.
    Writes: ``n`` new records per record (ids ``<id>#paraphrase-k``, ``metadata.parent_id``,
    ``metadata.augment`` = {kind: paraphrase, turns, model}); counts ``variants``.
    Drops: nothing of the input; variants as ``paraphrase_rejected`` or ``augment_invalid``;
    ``llm_error`` and ``llm_unusable_reply`` when no usable answer could be had (the original
    is then rejected too, for nothing can be said of it).
    """

    id: ClassVar[str] = "augment.paraphrase"
    Params = ParaphraseParams
    params: ParaphraseParams
    expands: ClassVar[bool] = True

    def setup(self) -> None:
        super().setup()
        self._check = VariantCheck()
        self._system = source(self.params.system_prompt, "paraphrase_system")
        self._user = source(self.params.user_prompt, "paraphrase_user")

    def _targets(self, record: Record) -> list[int]:
        users = [
            i
            for i, m in enumerate(record.messages)
            if m.role == "user" and isinstance(m.content, str) and m.content.strip()
        ]
        return users[-1:] if self.params.turns == "last" else users

    async def _rewrites(self, text: str) -> list[str]:
        assert self.client is not None
        p = self.params
        values = {"text": text, "n": p.n, "open": OPEN, "close": CLOSE}
        messages = [
            {"role": "system", "content": render(self._system, **values)},
            {"role": "user", "content": render(self._user, **values)},
        ]
        answer, _ = await ask(
            self.client,
            messages,
            Paraphrases,
            reasks=p.reasks,
            temperature=p.temperature,
            max_tokens=p.max_tokens,
        )
        return [x for x in answer.paraphrases if isinstance(x, str)]

    async def process(self, record: Record) -> Record | Reject | Expansion:
        assert self.client is not None
        p = self.params
        targets = self._targets(record)
        if not targets:
            self.count("no_user_turn")
            return [record]
        texts = [record.messages[i].content for i in targets]
        rewrites = await asyncio.gather(*(self._rewrites(str(t)) for t in texts))
        info = {"turns": targets, "model": self.client.provider.model}
        out: Expansion = []
        variants = []
        for k in range(1, p.n + 1):
            v = variant(record, "paraphrase", k, info)
            problem = None
            for index, original, options in zip(targets, texts, rewrites, strict=True):
                new = options[k - 1].strip() if k <= len(options) else ""
                problem = problem or self._problem(str(original), new, index)
                v.messages[index].content = new
            if problem is None:
                variants.append(v)
            else:
                out.append((v, Reject("paraphrase_rejected", value=problem[0], detail=problem[1])))
        self.count("variants", len(variants))
        return self._check(record, variants, p.keep_original) + out

    def _problem(self, original: str, new: str, index: int) -> tuple[str, str] | None:
        if not new:
            return "empty", f"messages[{index}]: no rewrite"
        if " ".join(new.casefold().split()) == " ".join(original.casefold().split()):
            return "same", f"messages[{index}]: the rewrite is the original"
        ratio = len(new) / max(len(original), 1)
        if not self.params.min_ratio <= ratio <= self.params.max_ratio:
            return "length", f"messages[{index}]: {ratio:.2f} times the original's length"
        return None
