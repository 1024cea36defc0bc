"""What the LLM augmentations that rewrite user turns share (``augment.paraphrase``,
``augment.backtranslate``): which turns, the checks on each rewrite, and the variants."""

from __future__ import annotations

import asyncio
from typing import ClassVar, Literal

from pydantic import Field, model_validator

from ftprep.record import Record
from ftprep.steps.augment.variant import VariantCheck, variant
from ftprep.steps.base import Expansion, LLMStep, LLMStepParams, Reject


class RewriteParams(LLMStepParams):
    turns: Literal["last", "all"] = Field(
        "last", description="Rewrite the `last` user turn, or `all` of them."
    )
    temperature: float = Field(0.8, ge=0, le=2, description="Sampling temperature.")
    max_tokens: int = Field(1024, ge=16, description="Longest answer, in tokens.")
    reasks: int = Field(2, ge=0, le=5, description="Asks again after an unusable answer.")
    min_ratio: float = Field(
        0.3, gt=0, description="Reject a rewrite shorter than this share of the original."
    )
    max_ratio: float = Field(
        3.0, gt=0, description="Reject a rewrite longer than this multiple of the original."
    )
    keep_original: bool = Field(True, description="Write the original record too.")

    @model_validator(mode="after")
    def _ratios(self) -> RewriteParams:
        if self.min_ratio >= self.max_ratio:
            raise ValueError(f"min_ratio {self.min_ratio} is not below max_ratio {self.max_ratio}")
        return self


class UserTurnRewriter(LLMStep):
    """Base of the steps that make variants by rewriting user turns with an LLM: implement
    :meth:`rewrites` (the rewrites of one text, one per variant) and :meth:`variants`."""

    #: the variant kind, in ids (``<id>#<kind>-k``), metadata and reject codes
    variant_kind: ClassVar[str]
    expands: ClassVar[bool] = True
    params: RewriteParams

    def setup(self) -> None:
        super().setup()
        self._check = VariantCheck()

    def variants(self) -> int:
        raise NotImplementedError

    async def rewrites(self, text: str) -> list[str]:
        raise NotImplementedError

    def _targets(self, record: Record) -> list[int]:
        users = [
            i
            for i, m in enumerate(record.messages)
            if m.role == "user" and isinstance(m.content, str) and m.content.strip()
        ]
        return users[-1:] if self.params.turns == "last" else users

    async def process(self, record: Record) -> Record | Reject | Expansion:
        assert self.client is not None
        targets = self._targets(record)
        if not targets:
            self.count("no_user_turn")
            return [record]
        texts = [str(record.messages[i].content) for i in targets]
        rewrites = await asyncio.gather(*(self.rewrites(t) for t in texts))
        info = {"turns": targets, "model": self.client.provider.model}
        out: Expansion = []
        good = []
        for k in range(1, self.variants() + 1):
            v = variant(record, self.variant_kind, k, info)
            problem = None
            for index, original, options in zip(targets, texts, rewrites, strict=True):
                new = options[k - 1].strip() if k <= len(options) else ""
                problem = problem or self._problem(original, new, index)
                v.messages[index].content = new
            if problem is None:
                good.append(v)
            else:
                code = f"{self.variant_kind}_rejected"
                out.append((v, Reject(code, value=problem[0], detail=problem[1])))
        self.count("variants", len(good))
        return self._check(record, good, self.params.keep_original) + out

    def _problem(self, original: str, new: str, index: int) -> tuple[str, str] | None:
        """Why a rewrite cannot stand (empty, the original again, out of the length ratios)."""
        if not new:
            return "empty", f"messages[{index}]: no rewrite"
        if " ".join(new.casefold().split()) == " ".join(original.casefold().split()):
            return "same", f"messages[{index}]: the rewrite is the original"
        ratio = len(new) / max(len(original), 1)
        if not self.params.min_ratio <= ratio <= self.params.max_ratio:
            return "length", f"messages[{index}]: {ratio:.2f} times the original's length"
        return None
