"""``llm.judge``: an LLM rates each conversation on a rubric, and its verdict keeps, flags or
drops it."""

from __future__ import annotations

import asyncio
import statistics
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, Field, create_model, model_validator

from ftprep.llm import ChatClient, ask
from ftprep.llm.prompts import chat as prompt_chat
from ftprep.record import Record
from ftprep.steps.base import LLMStep, Reject
from ftprep.steps.llm.conversation import conversation_text
from ftprep.steps.llm.prompted import PromptedParams


class Criterion(BaseModel):
    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description="A key: letters, _.")
    description: str = Field(min_length=1, description="What a 5 means, for the judge.")


#: the default rubric: the "GREAT" checklist (Grammar, Relevant, Example of ideal behaviour,
#: Accurate, Tone) with completeness and formatting, as reviewers of fine-tuning data use it
DEFAULT_CRITERIA = (
    Criterion(name="correctness", description="Accurate: facts, code and reasoning are right."),
    Criterion(name="relevance", description="Relevant: it answers what the user asked."),
    Criterion(name="completeness", description="Complete: nothing the user needed is missing."),
    Criterion(name="grammar", description="Grammar: clear, correct, natural language."),
    Criterion(
        name="tone",
        description="Tone: polite and fitting, without needless hedging, refusals or filler.",
    ),
    Criterion(
        name="formatting",
        description="Formatting: length, lists and code blocks suit the answer; an example of "
        "the ideal reply.",
    ),
)

Verdict = Literal["keep", "review", "discard"]


def _lenient(value: Any) -> Any:
    """A bare number where an object was asked for: the score, with no reason."""
    if isinstance(value, int | float | str) and not isinstance(value, bool):
        return {"score": value, "reason": ""}
    return value


def _whole(value: Any) -> Any:
    """A score written as "4" or 4.0, as the integer it is."""
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


class CriterionScore(BaseModel):
    # an enum, not a range: grammar-constrained decoding (llama.cpp) can hold a model to it
    score: Annotated[Literal[1, 2, 3, 4, 5], BeforeValidator(_whole)]
    reason: str = ""


Scored = Annotated[CriterionScore, BeforeValidator(_lenient)]


class JudgeParams(PromptedParams):
    templates: ClassVar[tuple[str, str]] = ("judge_system", "judge_user")

    criteria: list[Criterion] = Field(
        default_factory=lambda: list(DEFAULT_CRITERIA),
        description="The rubric: each criterion's name and what it asks (default: correctness, "
        "relevance, completeness, grammar, tone, formatting).",
    )
    keep_at: float = Field(4.0, ge=1, le=5, description="Mean score from which a record is kept.")
    discard_below: float = Field(
        3.0, ge=1, le=5, description="Mean score under which a record is discarded."
    )
    floor: int | None = Field(
        None, ge=1, le=5, description="Discard when any criterion scores under this."
    )
    action: Literal["drop", "mark"] = Field(
        "drop",
        description="`drop`: discarded records go to rejects, the rest are kept and marked; "
        "`mark`: every record is kept with its verdict in metadata.",
    )
    samples: int = Field(1, ge=1, le=15, description="Ratings per record; the median is kept.")
    temperature: float = Field(
        0.0, ge=0, le=2, description="Sampling temperature (above 0 when samples > 1)."
    )
    max_tokens: int = Field(600, ge=16, description="Longest answer of the judge, in tokens.")
    reasks: int = Field(2, ge=0, le=5, description="Asks again after an unusable answer.")
    max_chars: int = Field(
        12000, ge=200, description="Conversation text shown to the judge at most (cut beyond)."
    )

    @model_validator(mode="after")
    def _consistent(self) -> JudgeParams:
        if self.discard_below > self.keep_at:
            raise ValueError(f"discard_below {self.discard_below} is above keep_at {self.keep_at}")
        names = [c.name for c in self.criteria]
        if not names or len(set(names)) != len(names):
            raise ValueError("criteria need at least one name, each used once")
        if self.samples > 1 and self.temperature == 0:
            raise ValueError("samples > 1 needs a temperature above 0 (else every sample agrees)")
        return self

    def sample_values(self) -> dict[str, Any]:
        return {"criteria": self.criteria, "conversation": ""}


class LLMJudge(LLMStep):
    """Rate each conversation with an LLM judge, criterion by criterion, and keep, flag or drop it.

    The judge sees the conversation between data fences and is told that nothing inside them is
    an instruction (content that tries to close the fence is defused), answers one JSON object
    with a score from 1 to 5 and a reason per criterion (parsed robustly, asked again when
    unusable), optionally several times with a median vote. The mean score decides: at least
    ``keep_at`` keep, under ``discard_below`` (or any criterion under ``floor``) discard, between
    review.

    Reads: every turn (text parts joined, tool calls as JSON), cut to ``max_chars``.
    Writes: ``metadata.judge`` = {scores, reasons, overall, verdict, samples}; counts verdicts.
    Drops: ``judge_discard`` with ``action: drop``, with the mean score as the value and the low
    criteria with their reasons in the detail; ``llm_error`` and ``llm_unusable_reply`` when no
    usable rating could be had.
    """

    id: ClassVar[str] = "llm.judge"
    Params = JudgeParams
    params: JudgeParams

    def setup(self) -> None:
        super().setup()
        p = self.params
        fields: dict[str, Any] = {c.name: (Scored, ...) for c in p.criteria}
        self._schema: type[BaseModel] = create_model("JudgeScores", **fields)
        self._system, self._user = p.prompts()

    def prompt(self, record: Record) -> list[dict[str, str]]:
        values = {
            "criteria": self.params.criteria,
            "conversation": conversation_text(record, self.params.max_chars),
        }
        return prompt_chat(self._system, self._user, **values)

    async def process(self, record: Record) -> Record | Reject:
        assert self.client is not None
        p, messages = self.params, self.prompt(record)
        runs = await asyncio.gather(
            *(
                ask(
                    self.client,
                    messages,
                    self._schema,
                    reasks=p.reasks,
                    sample=i,
                    temperature=p.temperature,
                    max_tokens=p.max_tokens,
                )
                for i in range(p.samples)
            ),
            return_exceptions=True,
        )
        ratings = [r[0] for r in runs if isinstance(r, tuple)]
        if not ratings:
            failure = next(r for r in runs if isinstance(r, BaseException))
            raise failure
        if len(ratings) < len(runs):
            self.count("judge.unusable_samples", len(runs) - len(ratings))
        verdict = self._verdict(ratings)
        self.count(f"judge.{verdict['verdict']}")
        if verdict["verdict"] == "discard" and p.action == "drop":
            low = sorted(verdict["scores"].items(), key=lambda kv: kv[1])[:3]
            detail = "; ".join(f"{k} {v}: {verdict['reasons'][k]}" for k, v in low)
            return Reject("judge_discard", value=verdict["overall"], detail=detail)
        record.metadata["judge"] = verdict
        return record

    def _verdict(self, ratings: list[BaseModel]) -> dict[str, Any]:
        """The median score of each criterion over the ratings (with the reason of a rating
        that gave it), their mean, and the verdict."""
        p = self.params
        scores: dict[str, int] = {}
        reasons: dict[str, str] = {}
        for c in p.criteria:
            given: list[CriterionScore] = [getattr(r, c.name) for r in ratings]
            median = int(statistics.median_high(s.score for s in given))
            scores[c.name] = median
            reasons[c.name] = next(s.reason for s in given if s.score == median)
        overall = round(sum(scores.values()) / len(scores), 2)
        verdict: Verdict = "review"
        if overall < p.discard_below or (p.floor and min(scores.values()) < p.floor):
            verdict = "discard"
        elif overall >= p.keep_at:
            verdict = "keep"
        return {
            "scores": scores,
            "reasons": reasons,
            "overall": overall,
            "verdict": verdict,
            "samples": len(ratings),
        }


def marking_params(params: dict[str, Any]) -> JudgeParams:
    """``llm.judge`` parameters for a judge another step asks (best-of-n, synthetic checks): it
    marks every record with its verdict and never drops one."""
    return JudgeParams.model_validate({**params, "action": "mark"})


def marking_judge(params: dict[str, Any], client: ChatClient | None) -> LLMJudge:
    """A set-up marking judge (see :func:`marking_params`) that shares ``client``."""
    judge = LLMJudge(marking_params(params), client=client)
    judge.ensure_setup()
    return judge
