"""``augment.difficulty``: simpler, harder, ambiguous and multi-intent versions of a request,
each with the reply it calls for, written by an LLM."""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, Field

from ftprep.llm import ReplyError, ask
from ftprep.llm.prompts import chat as prompt_chat
from ftprep.record import Message, Record
from ftprep.steps.augment.variant import VariantCheck, variant
from ftprep.steps.base import Expansion, LLMStep, Reject, unusable_reply
from ftprep.steps.llm.prompted import PromptedParams

Level = Literal["simpler", "harder", "ambiguous", "multi_intent"]
LEVELS: tuple[Level, ...] = ("simpler", "harder", "ambiguous", "multi_intent")

#: what each level asks of the new user message
INSTRUCTIONS: dict[str, str] = {
    "simpler": "simpler: a more basic question a beginner would ask",
    "harder": "harder: more demanding, with an added constraint or a less common case",
    "ambiguous": "ambiguous: it could mean two different things, and the user does not say which",
    "multi_intent": "multi-intent: two or three different requests in one message",
}


class Exchange(BaseModel):
    user: str
    assistant: str


class DifficultyParams(PromptedParams):
    templates: ClassVar[tuple[str, str]] = ("difficulty_system", "difficulty_user")

    levels: list[Level] = Field(
        default_factory=lambda: list(LEVELS),
        min_length=1,
        description="Versions to write, one variant each: `simpler`, `harder`, `ambiguous` (the "
        "reply asks a clarifying question), `multi_intent` (the reply answers every part).",
    )
    temperature: float = Field(0.7, ge=0, le=2, description="Sampling temperature.")
    max_tokens: int = Field(1024, ge=16, description="Longest answer, in tokens.")
    reasks: int = Field(2, ge=0, le=5, description="Asks again after an unusable answer.")
    keep_original: bool = Field(True, description="Write the original record too.")

    def sample_values(self) -> dict[str, Any]:
        return {"level": "harder", "instruction": "", "exchange": ""}


class DifficultyAugmenter(LLMStep):
    """Make simpler, harder, ambiguous and multi-intent versions of each record's last request,
    each with the reply it calls for (for an ambiguous one, a clarifying question).

    The LLM sees the last user turn and the reply after it (fenced as data) and writes, per
    level, a new user turn on the same subject and its ideal reply; the variant is the record
    with that exchange in place of the original one (the turns before are kept). A version that
    is empty or repeats the original request is rejected with its variant, as is one the model
    gave no usable answer for, or that would not pass the validator.

    Reads: the last user turn and the assistant turn after it.
    Writes: one new record per level (ids ``<id>#difficulty-k``, ``metadata.parent_id``,
    ``metadata.augment`` = {kind: difficulty, level, model}); counts ``variants``.
    Drops: nothing of the input; variants as ``difficulty_rejected``, ``llm_unusable_reply`` or
    ``augment_invalid``.
    """

    id: ClassVar[str] = "augment.difficulty"
    Params = DifficultyParams
    params: DifficultyParams
    expands: ClassVar[bool] = True

    def setup(self) -> None:
        super().setup()
        self._check = VariantCheck()
        self._system, self._user = self.params.prompts()

    async def process(self, record: Record) -> Record | Reject | Expansion:
        users = [
            i
            for i, m in enumerate(record.messages)
            if m.role == "user" and isinstance(m.content, str) and m.content.strip()
        ]
        if not users:
            self.count("no_user_turn")
            return [record]
        index = users[-1]
        made = await asyncio.gather(
            *(self._one(record, index, k, level) for k, level in enumerate(self.params.levels, 1))
        )
        good = [v for v in made if isinstance(v, Record)]
        self.count("variants", len(good))
        return self._check(record, good, self.params.keep_original) + [
            v for v in made if isinstance(v, tuple)
        ]

    async def _one(
        self, record: Record, index: int, k: int, level: str
    ) -> Record | tuple[Record, Reject]:
        assert self.client is not None
        p = self.params
        messages = record.messages
        question = str(messages[index].content)
        reply = messages[index + 1] if index + 1 < len(messages) else None
        answer = reply.text if reply is not None and reply.role == "assistant" else ""
        exchange = f"USER: {question}\n\nASSISTANT: {answer}"
        values = {"level": level, "instruction": INSTRUCTIONS[level], "exchange": exchange}
        prompt = prompt_chat(self._system, self._user, **values)
        v = variant(record, "difficulty", k, {"level": level, "model": self.client.provider.model})
        keep = index + 1 if reply is None or reply.role != "assistant" else index + 2
        try:
            new, _ = await ask(
                self.client,
                prompt,
                Exchange,
                reasks=p.reasks,
                sample=k,
                temperature=p.temperature,
                max_tokens=p.max_tokens,
            )
        except ReplyError as exc:
            return v, unusable_reply(exc, level)
        user, assistant = new.user.strip(), new.assistant.strip()
        v.messages = [
            *v.messages[:index],
            Message("user", user),
            Message("assistant", assistant),
            *v.messages[keep:],
        ]
        if not user or not assistant:
            return v, Reject("difficulty_rejected", value="empty", detail=f"{level}: no text")
        if " ".join(user.casefold().split()) == " ".join(question.casefold().split()):
            return v, Reject("difficulty_rejected", value="same", detail=f"{level}: the request")
        return v
