"""filter.repetition: loops caught by their measures, run-ons by their markers; structure kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ftprep.reading import iter_records, open_source
from ftprep.record import Message, Record
from ftprep.steps.filter.repetition import (
    RepetitionFilter,
    compression_ratio,
    dup_line_share,
    ngram_repetition,
)

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data"

ANSWER = (
    "Photosynthesis turns light into chemical energy. In the light reactions, chlorophyll in "
    "the thylakoid membranes absorbs photons and splits water, releasing oxygen and making ATP "
    "and NADPH. In the Calvin cycle, which runs in the stroma, the enzyme RuBisCO fixes carbon "
    "dioxide onto ribulose bisphosphate; the ATP and NADPH from the first stage then reduce "
    "the products to sugars. The overall equation is 6 CO2 + 6 H2O -> C6H12O6 + 6 O2, and the "
    "rate depends on light intensity, temperature and the concentration of carbon dioxide."
)


def chat(reply: str, user: str = "Explain photosynthesis.") -> Record:
    return Record(messages=[Message("user", user), Message("assistant", reply)])


def reject_of(reply: str, user: str = "Explain photosynthesis.", **params: object) -> object:
    return RepetitionFilter(**params).check(chat(reply, user))


def test_measures() -> None:
    loop = "Eat a banana! " * 200
    assert compression_ratio(loop) < 0.02 < 0.3 < compression_ratio(ANSWER)
    assert ngram_repetition(loop, 10) == (1.0, 197)  # 600 words, a 3-word loop
    assert ngram_repetition(ANSWER, 10) == (0.0, 1)
    assert ngram_repetition("too short", 10) == (0.0, 0)
    assert dup_line_share("same line here\n" * 5) == pytest.approx(0.8)
    assert dup_line_share("a\nb\na\nb") == 0.0  # short lines do not count


@pytest.mark.parametrize(
    "reply",
    [
        "Eat a banana!" * 2000,  # the toy data set's 26,000-character reply
        ANSWER + " I hope this helps! " * 100,
        "Ooh ooh ah ah! *giggle* " * 140,
        "The answer is 42.\n" * 60,
        ANSWER + "\n\n" + ("Let me know if you have more questions about photosynthesis. " * 30),
        ANSWER + "\n\n" + ANSWER,  # the whole answer said twice
    ],
)
def test_loops_are_repetitive(reply: str) -> None:
    reject = reject_of(reply)
    assert reject is not None and reject.code == "repetitive"
    assert set(reject.value) == {
        "compression",
        "tail_compression",
        "dup_ngram_share",
        "top_ngram_repeats",
        "dup_line_share",
    }


def test_structure_is_not_repetition() -> None:
    steps = "\n".join(
        f"{i}. Step {i}: open the {thing} panel, check the {thing} settings and save them."
        for i, thing in enumerate(["network", "display", "sound", "privacy", "update"], 1)
    )
    table = "| Day | Morning | Evening |\n|---|---|---|\n" + "\n".join(
        f"| {day} | Rest | Rest |" for day in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    )
    code = (
        "```python\n"
        + "\n".join(f"def get_{name}(self):\n    return self._{name}\n" for name in "abcdefghij")
        + "```"
    )
    chorus = "We will, we will rock you\nSing it loud, sing it proud\n"
    song = "\n".join([f"Verse {i}: a new line about day {i} of the long tour" for i in range(4)])
    song += "\n" + (chorus * 3)
    for reply in (ANSWER, steps, table, code, song):
        assert reject_of(reply) is None, reply[:60]


def test_thresholds_and_short_texts() -> None:
    half = ANSWER + "\n\n" + ANSWER[: len(ANSWER) // 2]
    assert reject_of(half) is None  # a third repeated: 0.5 duplicate share
    assert reject_of(half, max_dup_ngram_share=0.5) is not None
    chorus = ANSWER + " Sing it loud and sing it proud, we will rock you all night long." * 4
    assert reject_of(chorus) is None
    assert reject_of(chorus, max_ngram_repeats=3) is not None
    short = "No no no no no no no no no no no no."
    assert reject_of(short) is None
    assert reject_of(short * 5, min_chars=10) is not None


@pytest.mark.parametrize(
    ("reply", "marker"),
    [
        (ANSWER + "\n\n### Instruction:\nWrite a poem about the sea.\n\n### Response:\n", "###"),
        (ANSWER + "<|im_end|>\n<|im_start|>user\nAnd respiration?", "<|im_end|>"),
        (ANSWER + "</s> \nHow can you ensure that your responses are fair?", "</s>"),
        (ANSWER + "\n\nUser: Thanks! Now explain respiration.\nAssistant: Sure.", "User:"),
        (ANSWER + "\nHuman: what about plants at night?", "Human:"),
        ("[INST] Tell me more [/INST] Sure.", "[INST]"),
    ],
)
def test_run_ons(reply: str, marker: str) -> None:
    reject = reject_of(reply)
    assert reject is not None and reject.code == "run_on" and marker in reject.value


@pytest.mark.parametrize(
    ("reply", "user"),
    [
        ("Here's a sample conversation:\n\nUser: Hi!\nAssistant: Hello!", "Show me a chatbot"),
        ("Sure!\n\nUser: Where is my order?\nAgent: Let me check.", "Write a support dialogue"),
        ("User: I forgot my password.\nBot: No problem, tap Reset.", "Give an example"),
        ("Strike text in HTML with <s>old price</s> and <del>.", "How do I strike text?"),
        ("A template looks like:\n```\n<|im_start|>user\nHi<|im_end|>\n```", "ChatML?"),
        ("Run `echo '</s>'` to see the token.", "How do I print it?"),
        ("## Input: a list\n\nThe function takes a list and returns its sum.", "Document sum()"),
    ],
)
def test_run_on_near_misses(reply: str, user: str) -> None:
    assert reject_of(reply, user) is None


def test_run_on_switch_and_roles() -> None:
    reply = ANSWER + "\nHuman: and at night?"
    assert reject_of(reply, run_on=False) is None
    assert RepetitionFilter().check(Record(text="Eat a banana! " * 100)) is not None
    assert RepetitionFilter(roles=["assistant"]).check(Record(text="Eat! " * 300)) is None


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data is not here")
def test_real_data() -> None:
    def drops(name: str) -> dict[int, str]:
        step = RepetitionFilter()
        found = {}
        for record in iter_records(open_source(SHARED / name)):
            if isinstance(record, Record) and (reject := step.check(record)) is not None:
                assert record.source is not None
                found[record.source.line] = reject.code
        return found

    assert drops("openai-cookbook/toy_chat_fine_tuning.jsonl") == {5: "repetitive"}
    kto = drops("llama-factory/kto_en_demo.json")
    assert kto == {66: "repetitive", 99: "run_on", 140: "run_on", 258: "run_on"}
    for clean in (
        "oasst/en_100_tree.jsonl",  # songs with a chorus, training splits, long code answers
        "codealpaca/code_alpaca_2k.json",  # unfenced HTML with six identical rows
        "llama-factory/alpaca_en_demo.json",
    ):
        assert drops(clean) == {}, clean
    assert (
        json.dumps(drops("llama-factory/glaive_toolcall_en_demo.json")) == '{"244": "repetitive"}'
    )


def test_an_email_address_does_not_ask_for_an_example_dialogue() -> None:
    from ftprep.record import Record
    from ftprep.steps.filter.repetition import RepetitionFilter

    reply = (
        "Sure, I've sent the reset link to opatel@example.com; it is valid for 30 minutes.\n\n"
        "User: Thanks! And how do I turn on two-factor authentication?\n"
        "Assistant: Open Account > Security > Two-step verification and follow the steps."
    )
    record = Record.from_dict(
        {
            "messages": [
                {"role": "user", "content": "Please resend the link to opatel@example.com"},
                {"role": "assistant", "content": reply},
            ]
        }
    )
    reject = RepetitionFilter().check(record)
    assert reject is not None and reject.code == "run_on"
