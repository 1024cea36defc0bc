"""``augment.backtranslate``: user turns translated into a pivot language and back, by an LLM."""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

from pydantic import BaseModel, Field

from ftprep.llm import ask
from ftprep.llm.prompts import chat as prompt_chat
from ftprep.steps.augment.rewrite import RewriteParams, UserTurnRewriter
from ftprep.steps.llm.prompted import PromptedParams


class Translation(BaseModel):
    translation: str


class BacktranslateParams(RewriteParams, PromptedParams):
    templates: ClassVar[tuple[str, str]] = ("translate_system", "translate_user")

    pivots: list[str] = Field(
        default_factory=lambda: ["French", "German"],
        min_length=1,
        description="Pivot languages, one variant each.",
    )
    language: str = Field("English", description="The language of the data (translated back to).")
    temperature: float = Field(0.3, ge=0, le=2, description="Sampling temperature.")

    def sample_values(self) -> dict[str, Any]:
        return {"text": "", "language": self.language}


class BackTranslator(UserTurnRewriter):
    """Make new examples by translating the user turns into each pivot language and back with an
    LLM: the same request in the words a translation chain gives it (the replies are kept).

    Each chosen user turn is translated into each of ``pivots`` and the result back into
    ``language`` (the turn fenced as data both times); variant ``k`` takes the round trip through
    pivot ``k``. A round trip that is empty, the original again, or out of the length ratios is
    rejected with its variant, and so is a variant that would not pass the validator.

    Reads: the user turns (string contents): the last one, or all.
    Writes: one new record per pivot (ids ``<id>#backtranslation-k``, ``metadata.parent_id``,
    ``metadata.augment`` = {kind: backtranslation, turns, model}); counts ``variants``.
    Drops: nothing of the input; variants as ``backtranslation_rejected`` or
    ``augment_invalid``; ``llm_error`` and ``llm_unusable_reply`` when a translation could not
    be had (the original is then rejected too).
    """

    id: ClassVar[str] = "augment.backtranslate"
    variant_kind: ClassVar[str] = "backtranslation"
    Params = BacktranslateParams
    params: BacktranslateParams

    def setup(self) -> None:
        super().setup()
        self._system, self._user = self.params.prompts()

    def variants(self) -> int:
        return len(self.params.pivots)

    async def rewrites(self, text: str) -> list[str]:
        async def round_trip(pivot: str) -> str:
            there = await self._translate(text, pivot)
            return await self._translate(there, self.params.language)

        return list(await asyncio.gather(*(round_trip(p) for p in self.params.pivots)))

    async def _translate(self, text: str, language: str) -> str:
        assert self.client is not None
        p = self.params
        values = {"text": text, "language": language}
        messages = prompt_chat(self._system, self._user, **values)
        answer, _ = await ask(
            self.client,
            messages,
            Translation,
            reasks=p.reasks,
            temperature=p.temperature,
            max_tokens=p.max_tokens,
        )
        return answer.translation
