"""``llm.generate``: new synthetic examples for a task, written by an LLM from seed examples."""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

from pydantic import BaseModel, Field, model_validator

from ftprep.llm import ReplyError, ask
from ftprep.llm.prompts import chat as prompt_chat
from ftprep.record import Message, Record
from ftprep.steps.augment.variant import VariantCheck, variant, variant_rng
from ftprep.steps.base import Expansion, LLMStep, Reject, unusable_reply
from ftprep.steps.llm.conversation import conversation_text
from ftprep.steps.llm.judge import LLMJudge, marking_judge, marking_params
from ftprep.steps.llm.prompted import PromptedParams


class Example(BaseModel):
    user: str
    assistant: str


class GenerateParams(PromptedParams):
    templates: ClassVar[tuple[str, str]] = ("generate_system", "generate_user")

    task: str = Field(min_length=1, description="What the data is for, in a few sentences.")
    per_seed: int = Field(2, ge=1, le=50, description="New examples written from each seed.")
    topics: list[str] = Field(default_factory=list, description="Topics to spread examples over.")
    personas: list[str] = Field(
        default_factory=list, description='Who the users are ("a first-time buyer"...).'
    )
    difficulties: list[str] = Field(
        default_factory=lambda: ["easy", "typical", "hard"],
        description="Difficulty levels to spread examples over.",
    )
    seed: int = Field(0, description="Seed of the topic, persona and difficulty draws.")
    temperature: float = Field(0.9, ge=0, le=2, description="Sampling temperature.")
    max_tokens: int = Field(1024, ge=16, description="Longest answer, in tokens.")
    reasks: int = Field(2, ge=0, le=5, description="Asks again after an unusable answer.")
    judge: dict[str, Any] | None = Field(
        None,
        description="Judge each new example with `llm.judge` (these parameters; its `llm` is "
        "this step's) and reject those it discards.",
    )
    warn_share: float = Field(
        0.7, gt=0, lt=1, description="Warn when synthetic examples would be above this share."
    )
    max_share: float = Field(
        0.95,
        gt=0,
        lt=1,
        description="The largest synthetic share allowed (`per_seed` is capped to it); a "
        "dataset of synthetic examples only is refused.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> GenerateParams:
        if self.judge is not None:
            marking_params(self.judge)
        return self

    def sample_values(self) -> dict[str, Any]:
        return {"task": self.task, "topic": "", "persona": "", "difficulty": "", "example": "",
                "k": 1, "n": 1}  # fmt: skip

    def count(self) -> int:
        """``per_seed``, capped so that the synthetic share stays within ``max_share``."""
        cap = int(self.max_share / (1 - self.max_share) + 1e-9)
        return max(1, min(self.per_seed, cap))


class SyntheticGenerator(LLMStep):
    """Write new examples for a task from seed examples, with diversity controls.

    For each seed record, ``per_seed`` requests each show the task, the seed (fenced as data),
    and a topic, persona and difficulty drawn (seeded) from the lists given, at a high
    temperature; each answer is a new user turn and reply, with the seed's system turn. Each new
    example is checked like real data, and by the judge when ``judge`` is set. Seeds are kept,
    so the output mixes real and synthetic examples; the synthetic share is warned about above
    ``warn_share`` and capped at ``max_share`` (never 100%). Follow with ``dedup.exact`` and
    ``dedup.minhash`` (as ``ftprep generate`` does) to drop new examples that repeat a seed or
    each other.

    Reads: each seed record's turns and system turn.
    Writes: the seed, then its new examples (ids ``<id>#synthetic-k``, ``metadata.parent_id``,
    ``metadata.synthetic`` = true, ``metadata.augment`` = {kind: synthetic, topic, persona,
    difficulty, model}); counts ``seeds`` and ``synthetic``.
    Drops: nothing of the input; new examples as ``augment_invalid`` (not valid data),
    ``judge_discard`` and ``llm_unusable_reply`` (no usable answer).
    """

    id: ClassVar[str] = "llm.generate"
    Params = GenerateParams
    params: GenerateParams
    expands: ClassVar[bool] = True

    def setup(self) -> None:
        super().setup()
        p = self.params
        self._check = VariantCheck()
        self._system, self._user = p.prompts()
        self._judge: LLMJudge | None = None
        if p.judge is not None:
            self._judge = marking_judge(p.judge, self.client)
        n = p.count()
        if n < p.per_seed:
            self.warn(f"per_seed {p.per_seed} capped to {n} by max_share {p.max_share}")
        if n / (n + 1) > p.warn_share:
            self.warn(
                f"{n} synthetic examples per seed make the data {n / (n + 1):.0%} synthetic "
                f"(above warn_share {p.warn_share:.0%})"
            )

    def _draws(self, record: Record, k: int) -> dict[str, str]:
        p = self.params
        rng = variant_rng(p.seed, record, k)
        return {
            name: rng.choice(options) if options else ""
            for name, options in (
                ("topic", p.topics),
                ("persona", p.personas),
                ("difficulty", p.difficulties),
            )
        }

    async def process(self, record: Record) -> Record | Reject | Expansion:
        assert self.client is not None
        if record.is_text:
            return [record]
        n = self.params.count()
        made = await asyncio.gather(*(self._one(record, k, n) for k in range(1, n + 1)))
        good = [v for v in made if isinstance(v, Record)]
        self.count("seeds")
        self.count("synthetic", len(good))
        return self._check(record, good, True) + [v for v in made if isinstance(v, tuple)]

    async def _one(self, record: Record, k: int, n: int) -> Record | tuple[Record, Reject]:
        assert self.client is not None
        p = self.params
        draws = self._draws(record, k)
        seed_text = conversation_text(record, 6000)
        values = {"task": p.task, "example": seed_text, "k": k, "n": n, **draws}
        messages = prompt_chat(self._system, self._user, **values)
        info = {**draws, "model": self.client.provider.model}
        new = variant(record, "synthetic", k, info)
        new.metadata["synthetic"] = True
        system = [m for m in record.messages if m.role in ("system", "developer")][:1]
        try:
            example, _ = await ask(
                self.client,
                messages,
                Example,
                reasks=p.reasks,
                sample=k,
                temperature=p.temperature,
                max_tokens=p.max_tokens,
            )
        except ReplyError as exc:
            new.messages = [*system, Message("user", ""), Message("assistant", exc.raw[:4000])]
            return new, unusable_reply(exc)
        new.messages = [
            *system,
            Message("user", example.user.strip()),
            Message("assistant", example.assistant.strip()),
        ]
        if self._judge is not None:
            judged = await self._judge.process(new)
            if isinstance(judged, Record) and judged.metadata["judge"]["verdict"] == "discard":
                verdict = judged.metadata["judge"]
                return new, Reject("judge_discard", value=verdict["overall"], detail="synthetic")
        return new
