"""``augment.paraphrase``: an LLM rewrites user turns, meaning kept, into new training examples."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, Field

from ftprep.llm import ask
from ftprep.llm.prompts import chat as prompt_chat
from ftprep.steps.augment.rewrite import RewriteParams, UserTurnRewriter
from ftprep.steps.llm.prompted import PromptedParams


class Paraphrases(BaseModel):
    paraphrases: list[str]


class ParaphraseParams(RewriteParams, PromptedParams):
    templates: ClassVar[tuple[str, str]] = ("paraphrase_system", "paraphrase_user")

    n: int = Field(2, ge=1, le=10, description="Variants per record.")

    def sample_values(self) -> dict[str, Any]:
        return {"text": "", "n": self.n}


class Paraphraser(UserTurnRewriter):
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
    variant_kind: ClassVar[str] = "paraphrase"
    Params = ParaphraseParams
    params: ParaphraseParams

    def setup(self) -> None:
        super().setup()
        self._system, self._user = self.params.prompts()

    def variants(self) -> int:
        return self.params.n

    async def rewrites(self, text: str) -> list[str]:
        assert self.client is not None
        p = self.params
        values = {"text": text, "n": p.n}
        messages = prompt_chat(self._system, self._user, **values)
        answer, _ = await ask(
            self.client,
            messages,
            Paraphrases,
            reasks=p.reasks,
            temperature=p.temperature,
            max_tokens=p.max_tokens,
        )
        return [x for x in answer.paraphrases if isinstance(x, str)]
