"""``augment.llm_synonyms`` against a scripted model: what is asked, what is kept of the answer,
the variants, and the rejects."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner

from ftprep.cli import cli
from ftprep.llm.faults import FaultServer
from ftprep.llm.prompts import CLOSE, OPEN
from ftprep.record import Record
from ftprep.steps.augment.llm_synonyms import (
    LLMSynonymAugmenter,
    SynonymReply,
    candidate_words,
    synonym_table,
)
from ftprep.steps.augment.synonyms import replace_words

pytest.importorskip("aiohttp")

#: what the scripted model offers, whatever it is asked
OFFERS = {
    "reset": ["restore", "change"],
    "password": ["passcode"],
    "quickly": ["fast", "in a hurry right now please"],  # the second is too long: dropped
    "account": ["account", "profile"],  # the word itself: dropped
    "banana": ["plantain"],  # never asked about: dropped
}


def offering(body: dict[str, Any]) -> str:
    prompt = body["messages"][-1]["content"]
    asked = prompt.rsplit("Words: ", 1)[1].split("\n", 1)[0].split(", ")
    words = [{"word": w, "synonyms": OFFERS.get(w, [])} for w in [*asked, "banana"]]
    return "Sure! Here you go:\n```json\n" + json.dumps({"words": words}) + "\n```"


def llm(server: FaultServer) -> dict[str, Any]:
    return {"provider": "openai", "base_url": server.url, "model": "m", "cache": False}


def conversation(text: str, rid: str = "s1") -> Record:
    return Record.from_dict(
        {
            "id": rid,
            "messages": [
                {"role": "user", "content": text},
                {"role": "assistant", "content": "Open Settings and reset your password."},
            ],
        }
    )


def test_candidates_are_distinct_content_words_of_the_prose_only() -> None:
    text = (
        "Please reset the PASSWORD for account 12345 quickly, then reset it again. "
        "See https://example.com/account or mail help@example.com. `passwordReset()`\n"
        "```\nreset --hard\n```"
    )
    assert candidate_words(text, 20) == ["reset", "password", "account", "quickly", "mail"]
    assert candidate_words(text, 2) == ["reset", "password"]
    assert candidate_words("```\ncode only\n```", 5) == []


def test_only_usable_synonyms_of_asked_words_are_kept() -> None:
    reply = SynonymReply.model_validate(
        {
            "words": [
                {"word": " Reset ", "synonyms": ["restore", "Restore", "re set", "x" * 0, "4ever"]},
                {"word": "reset", "synonyms": ["again"]},  # a second entry: ignored
                {"word": "password", "synonyms": ["password"]},
                {"word": "banana", "synonyms": ["plantain"]},
            ]
        }
    )
    assert synonym_table(["reset", "password"], reply) == {"reset": ("restore", "re set")}


def test_replacement_keeps_capitalisation_and_is_seeded() -> None:
    table = {"reset": ("restore",), "password": ("passcode",)}
    text = "Reset my PASSWORD, reset it"
    assert replace_words(text, table, 1.0, random.Random(0)) == "Restore my PASSCODE, restore it"
    once = replace_words(text, table, 0.5, random.Random(7))
    assert once == replace_words(text, table, 0.5, random.Random(7))


def test_variants_take_the_offered_synonyms_and_leave_code_and_replies_alone() -> None:
    text = "How do I reset my password quickly? My account uses `reset_password()`."
    record = conversation(text)
    with FaultServer(reply=offering) as server:
        step = LLMSynonymAugmenter(llm=llm(server), n=3, rate=1.0)
        step.ensure_setup()
        (out,) = step.run_batch([record])
        asked = server.bodies[0]["messages"][-1]["content"]
    assert OPEN + "\n" + text + "\n" + CLOSE in asked  # the turn is fenced as data
    assert "Words: reset, password, quickly, account, uses" in asked
    assert isinstance(out, list) and out[0] is record and len(out) == 4
    for k, v in enumerate(out[1:], 1):
        assert isinstance(v, Record) and v.id == f"s1#llm-synonyms-{k}"
        assert v.metadata["parent_id"] == "s1"
        assert v.metadata["augment"] == {"kind": "llm-synonyms", "rate": 1.0, "model": "m"}
        new = str(v.messages[0].content)
        assert new.endswith("? My profile uses `reset_password()`.")  # the code is kept
        assert new.split(" my ")[0].split()[-1] in ("restore", "change")
        assert "my passcode fast?" in new
        assert v.messages[1].content == record.messages[1].content
    assert step.stats.counts["variants"] == 3
    assert step.stats.counts["words_asked"] == 5
    assert step.stats.counts["words_with_synonyms"] == 4


def test_an_unusable_answer_rejects_the_record_with_the_raw_reply() -> None:
    with FaultServer(reply=lambda body: "I cannot help with synonyms.") as server:
        step = LLMSynonymAugmenter(llm=llm(server), reasks=1)
        step.ensure_setup()
        (out,) = step.run_batch([conversation("Please reset my password")])
        assert len(server.bodies) == 2  # the question and one re-ask
    assert not isinstance(out, (Record, list, BaseException))
    assert out.code == "llm_unusable_reply" and "cannot help" in str(out.value)


def test_a_record_with_nothing_to_ask_about_is_written_as_it_is() -> None:
    record = conversation("```\nls -la\n```")
    with FaultServer(reply=offering) as server:
        step = LLMSynonymAugmenter(llm=llm(server))
        step.ensure_setup()
        (out,) = step.run_batch([record])
        assert server.bodies == []
    assert out == [record] and step.stats.counts["no_words"] == 1


def test_ftprep_augment_llm_synonyms_loses_nothing(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    rows = [conversation(f"Can you reset my password for account {i}?", f"r{i}") for i in range(4)]
    lines = [orjson.dumps(r.to_dict()) for r in rows] + [b'{"messages": "broken"}']
    src.write_bytes(b"\n".join(lines) + b"\n")
    with FaultServer(reply=offering) as server:
        result = CliRunner().invoke(
            cli,
            [
                "augment", str(src), str(tmp_path / "out.jsonl"), "--method", "llm-synonyms",
                "--n", "2", "--base-url", server.url, "--model", "m", "--cache", "off",
                "--set", "rate=1.0", "--no-progress",
            ],
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    kept = [orjson.loads(x) for x in (tmp_path / "out.jsonl").read_bytes().splitlines()]
    rejects = (tmp_path / "out.rejects.jsonl").read_bytes().splitlines()
    assert len(kept) == 12 and len(rejects) == 1
    assert sum("#llm-synonyms-" in str(r.get("id")) for r in kept) == 8
    assert "read 5 + added 8 = written 12 + rejected 1" in result.output
