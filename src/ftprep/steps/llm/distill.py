"""``llm.distill``: a teacher model writes the assistant turns of real prompts."""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar, Literal

from pydantic import Field, model_validator

from ftprep.llm import Completion
from ftprep.record import Message, Record
from ftprep.steps.base import LLMStep, LLMStepParams, Reject
from ftprep.steps.llm.judge import LLMJudge, marking_judge, marking_params


class DistillParams(LLMStepParams):
    turns: Literal["last", "all"] = Field(
        "last",
        description="`last`: answer the last user turn (replacing the reply after it, or adding "
        "one); `all`: rewrite every assistant turn, each from the original turns before it, "
        "and answer a last user turn.",
    )
    system_prompt: str | None = Field(
        None, description="A system message for the teacher, replacing the record's own."
    )
    samples: int = Field(1, ge=1, le=16, description="Candidate replies per turn.")
    select: Literal["first", "judge"] = Field(
        "first",
        description="With several samples: `first`, or `judge` (best-of-n: the candidate the "
        "judge rates highest; ties to the first).",
    )
    judge: dict[str, Any] = Field(
        default_factory=dict,
        description="Parameters of the `llm.judge` that picks the best of n (its criteria, "
        "prompts...); it shares this step's `llm` settings.",
    )
    temperature: float = Field(0.0, ge=0, le=2, description="The teacher's temperature.")
    max_tokens: int = Field(1024, ge=1, description="Longest reply, in tokens.")
    drop_truncated: bool = Field(
        True, description="Drop a record whose new reply stopped at max_tokens."
    )
    keep_original: bool = Field(
        True, description="Keep the replies it replaces in `metadata.distill.original`."
    )

    @model_validator(mode="after")
    def _consistent(self) -> DistillParams:
        if self.samples > 1 and self.temperature == 0:
            raise ValueError("samples > 1 needs a temperature above 0 (else every sample agrees)")
        if self.select == "judge" and self.samples < 2:
            raise ValueError("select: judge needs samples of 2 or more")
        marking_params(self.judge)
        return self


class TeacherDistiller(LLMStep):
    """Have a teacher model write the assistant replies of real conversations.

    The teacher sees the conversation up to the turn it answers (the record's system turn, or
    ``system_prompt``), and its reply takes the place of the original; with ``samples`` it
    writes several and the first, or the judge's best, is kept. Turns with tool calls, or
    answering a tool, are left as they are.

    Reads: the turns before each rewritten assistant turn.
    Writes: those assistant turns; ``metadata.distill`` = {model, turns, original (with
    ``keep_original``), scores (best-of-n)}; counts ``turns_written`` and ``tool_turns_kept``.
    Drops: ``teacher_empty`` (an empty reply), ``teacher_truncated`` (a reply cut at
    ``max_tokens``, with ``drop_truncated``), ``llm_error`` and ``llm_unusable_reply``.
    """

    id: ClassVar[str] = "llm.distill"
    Params = DistillParams
    params: DistillParams

    def setup(self) -> None:
        super().setup()
        p = self.params
        self._judge: LLMJudge | None = None
        if p.select == "judge":
            self._judge = marking_judge(p.judge, self.client)

    def _targets(self, record: Record) -> list[int]:
        """The indices of the assistant turns to write (len(messages) to add a reply)."""
        messages = record.messages
        if self.params.turns == "all":
            found = [i for i, m in enumerate(messages) if m.role == "assistant" and _plain(m)]
            if messages and messages[-1].role == "user":
                found.append(len(messages))  # a prompt still waiting for its reply
            return found
        last_user = max((i for i, m in enumerate(messages) if m.role == "user"), default=-1)
        if last_user < 0:
            return []
        after = last_user + 1
        if after == len(messages):
            return [after]
        reply = messages[after]
        return [after] if reply.role == "assistant" and _plain(reply) else []

    def _prompt(self, record: Record, index: int) -> list[dict[str, Any]]:
        before = list(record.messages[:index])
        system = self.params.system_prompt
        if system is not None:
            before = [m for m in before if m.role not in ("system", "developer")]
            before.insert(0, Message("system", system))
        return [m.to_dict() for m in before]

    async def process(self, record: Record) -> Record | Reject:
        assert self.client is not None
        if record.is_text:
            return Reject("teacher_no_turns", detail="a plain-text record has no turns")
        targets = self._targets(record)
        if not targets:
            self.count("tool_turns_kept" if record.messages else "no_turns")
            return record
        p = self.params
        prompts = [self._prompt(record, i) for i in targets]  # all from the original turns
        replies = await asyncio.gather(*(self._reply(record, prompt) for prompt in prompts))
        original: list[str | None] = []
        scores: list[float] = []
        for index, (answer, score) in zip(targets, replies, strict=True):
            text = answer.text.strip()
            if not text:
                return Reject("teacher_empty", detail=f"messages[{index}]: the reply is empty")
            if answer.finish_reason == "length" and p.drop_truncated:
                return Reject(
                    "teacher_truncated",
                    value=text[-200:],
                    detail=f"messages[{index}]: stopped at max_tokens {p.max_tokens}",
                )
            if index == len(record.messages):
                record.messages.append(Message("assistant", text))
                original.append(None)
            else:
                original.append(record.messages[index].text)
                record.messages[index].content = text
            if score is not None:
                scores.append(score)
            self.count("turns_written")
        info: dict[str, Any] = {"model": self.client.provider.model, "turns": targets}
        if p.keep_original:
            info["original"] = original
        if scores:
            info["scores"] = scores
        record.metadata["distill"] = info
        return record

    async def _reply(
        self, record: Record, prompt: list[dict[str, Any]]
    ) -> tuple[Completion, float | None]:
        """The kept candidate for one turn, and its judge score (best-of-n)."""
        assert self.client is not None
        p = self.params
        candidates = await asyncio.gather(
            *(
                self.client.chat(
                    prompt, sample=k, temperature=p.temperature, max_tokens=p.max_tokens
                )
                for k in range(p.samples)
            )
        )
        if self._judge is None:
            return candidates[0], None
        scored = []
        for answer in candidates:
            reply = {"role": "assistant", "content": answer.text}
            trial = Record.from_dict({"messages": [*prompt, reply]})
            judged = await self._judge.process(trial)
            overall = judged.metadata["judge"]["overall"] if isinstance(judged, Record) else 0.0
            scored.append((overall, answer))
        best = max(range(len(scored)), key=lambda k: (scored[k][0], -k))
        return scored[best][1], scored[best][0]


def _plain(message: Message) -> bool:
    """An assistant turn of text (no tool calls) that a teacher can rewrite."""
    return not message.tool_calls and not isinstance(message.content, list)
