"""``augment.paraphrase`` against a scripted model: variants, checks, rejects, splits."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner

from ftprep.cli import cli
from ftprep.llm.faults import FaultServer
from ftprep.llm.prompts import CLOSE, OPEN
from ftprep.record import Record
from ftprep.steps.augment.paraphrase import Paraphraser

pytest.importorskip("httpx")


def rewriter(body: dict[str, Any]) -> str:
    """Three rewrites: a good one, the original itself, and one far too long."""
    prompt = body["messages"][-1]["content"]
    text = prompt.split(OPEN + "\n", 1)[1].split("\n" + CLOSE, 1)[0]
    return json.dumps({"paraphrases": [f"Rephrased: {text}", text, text * 10]})


def llm(server: FaultServer) -> dict[str, Any]:
    return {"provider": "openai", "base_url": server.url, "model": "m", "cache": False}


def test_variants_replace_the_last_user_turn_and_bad_rewrites_are_rejected() -> None:
    record = Record.from_dict(
        {
            "id": "q1",
            "messages": [
                {"role": "user", "content": "First question?"},
                {"role": "assistant", "content": "First answer."},
                {"role": "user", "content": "How do I reset my password?"},
                {"role": "assistant", "content": "Go to Settings."},
            ],
        }
    )
    with FaultServer(reply=rewriter) as server:
        step = Paraphraser(llm=llm(server), n=3)
        step.ensure_setup()
        (out,) = step.run_batch([record])
    assert isinstance(out, list) and len(out) == 4
    original, good, *bad = out
    assert original is record
    assert isinstance(good, Record) and good.id == "q1#paraphrase-1"
    assert good.messages[2].content == "Rephrased: How do I reset my password?"
    assert (
        good.messages[0].content == "First question?"
        and good.messages[3].content == "Go to Settings."
    )
    assert good.metadata["parent_id"] == "q1" and good.metadata["augment"]["turns"] == [2]
    assert [(r.code, r.value) for _, r in bad] == [
        ("paraphrase_rejected", "same"),
        ("paraphrase_rejected", "length"),
    ]  # type: ignore[misc]


def test_ftprep_augment_paraphrase_counts_added_and_rejected(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    rows = [
        {
            "id": f"r{i}",
            "messages": [
                {"role": "user", "content": f"Question {i}?"},
                {"role": "assistant", "content": "A."},
            ],
        }
        for i in range(5)
    ]
    src.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    with FaultServer(reply=rewriter) as server:
        result = CliRunner().invoke(
            cli,
            [
                "augment",
                str(src),
                str(tmp_path / "out.jsonl"),
                "--method",
                "paraphrase",
                "--n",
                "3",
                "--base-url",
                server.url,
                "--model",
                "m",
                "--cache",
                "off",
                "--no-progress",
            ],
        )
    assert result.exit_code == 0, result.output
    kept = (tmp_path / "out.jsonl").read_bytes().splitlines()
    rejects = (tmp_path / "out.rejects.jsonl").read_bytes().splitlines()
    assert (len(kept), len(rejects)) == (10, 10)
    assert "read 5 + added 15 = written 10 + rejected 10" in result.output


def test_noise_takes_no_llm_options(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(
        '{"messages": [{"role": "user", "content": "Hello there friend"}, {"role": "assistant", "content": "Hi"}]}\n'
    )
    result = CliRunner().invoke(
        cli, ["augment", str(src), str(tmp_path / "o.jsonl"), "--model", "x"]
    )
    assert result.exit_code == 2 and "uses no model" in result.output


def translator(body: dict[str, Any]) -> str:
    """Translates by tagging: into X gives "[X] text"; back into English strips the tag and
    rewords; a German round trip comes back unchanged (rejected as the original)."""
    system, prompt = body["messages"][0]["content"], body["messages"][-1]["content"]
    text = prompt.split(OPEN + "\n", 1)[1].split("\n" + CLOSE, 1)[0]
    language = system.split("into ", 1)[1].split(":", 1)[0]
    if language == "English":
        pivot, _, rest = text.partition("] ")
        back = rest if pivot == "[German" else f"Could you tell me: {rest}"
        return json.dumps({"translation": back})
    return json.dumps({"translation": f"[{language}] {text}"})


def test_backtranslation_round_trips_through_each_pivot() -> None:
    from ftprep.steps.augment.backtranslate import BackTranslator

    record = Record.from_dict(
        {
            "id": "b",
            "messages": [
                {"role": "user", "content": "how do I reset my password"},
                {"role": "assistant", "content": "Settings."},
            ],
        }
    )
    with FaultServer(reply=translator) as server:
        step = BackTranslator(llm=llm(server), pivots=["French", "German"])
        step.ensure_setup()
        (out,) = step.run_batch([record])
    assert isinstance(out, list) and len(out) == 3
    original, french, (german, reject) = out  # type: ignore[misc]
    assert isinstance(german, Record) and german.messages[0].content == record.messages[0].content
    assert original is record and isinstance(french, Record)
    assert (
        french.id == "b#backtranslation-1"
        and french.metadata["augment"]["kind"] == "backtranslation"
    )
    assert french.messages[0].content == "Could you tell me: how do I reset my password"
    assert reject.code == "backtranslation_rejected" and reject.value == "same"
    assert len(server.bodies) == 4  # there and back, twice


def leveller(body: dict[str, Any]) -> str:
    """Writes each level's version; "simpler" repeats the request (rejected), "harder" answers
    garbage (unusable)."""
    system = body["messages"][0]["content"]
    level = body["messages"][-1]["content"].rsplit("Write the ", 1)[1].split(" version", 1)[0]
    if level == "simpler":
        return json.dumps({"user": "How do I reset my password?", "assistant": "Easy."})
    if level == "harder":
        return "no"
    reply = (
        "Do you mean the app or the website?"
        if "asks one short question" in system
        else "1. A 2. B"
    )
    return json.dumps({"user": f"{level} request", "assistant": reply})


def test_difficulty_versions_replace_the_last_exchange() -> None:
    from ftprep.steps.augment.difficulty import DifficultyAugmenter

    record = Record.from_dict(
        {
            "id": "d",
            "messages": [
                {"role": "system", "content": "Support."},
                {"role": "user", "content": "How do I reset my password?"},
                {"role": "assistant", "content": "Go to Settings."},
            ],
        }
    )
    with FaultServer(reply=leveller) as server:
        step = DifficultyAugmenter(llm=llm(server), reasks=0)
        step.ensure_setup()
        (out,) = step.run_batch([record])
    assert isinstance(out, list)
    kept = [x for x in out if isinstance(x, Record)]
    rejected = {r.detail.split(":")[0]: r.code for _, r in (x for x in out if isinstance(x, tuple))}  # type: ignore[misc]
    assert rejected == {"simpler": "difficulty_rejected", "harder": "llm_unusable_reply"}
    ambiguous = next(v for v in kept if v.metadata.get("augment", {}).get("level") == "ambiguous")
    assert [m.content for m in ambiguous.messages] == [
        "Support.", "ambiguous request", "Do you mean the app or the website?",
    ]  # fmt: skip
    multi = next(v for v in kept if v.metadata.get("augment", {}).get("level") == "multi_intent")
    assert multi.id == "d#difficulty-4" and multi.messages[2].content == "1. A 2. B"


@pytest.mark.parametrize(
    ("step", "template"),
    [
        ("augment.paraphrase", "Rewrite {{ n }} ways:\n{{ text | delimit }}"),
        ("augment.backtranslate", "Into {{ language }}:\n{{ text | delimit }}"),
        ("augment.difficulty", "{{ level }}:\n{{ exchange | delimit }}"),
    ],
)
def test_prompt_files_are_relative_to_the_recipe_and_checked(
    tmp_path: Path, step: str, template: str
) -> None:
    from ftprep.engine.recipe import load_recipe
    from ftprep.engine.yamlfile import RecipeError

    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "user.j2").write_text(template)
    recipe = tmp_path / "r.yaml"
    recipe.write_text(
        "version: 1\ninputs: [in.jsonl]\noutputs: [out.jsonl]\n"
        f"steps:\n  - {step}: {{user_prompt: p/user.j2}}\n"
    )
    params = load_recipe(recipe).steps[0].params
    assert params.user_prompt == str(tmp_path / "p" / "user.j2")  # type: ignore[attr-defined]
    (tmp_path / "p" / "user.j2").write_text("{{ no_such_value }}")
    with pytest.raises(RecipeError, match="no_such_value"):
        load_recipe(recipe)
