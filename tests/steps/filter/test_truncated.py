"""filter.truncated: a token limit, an unclosed code fence or a cut mid-sentence."""

from __future__ import annotations

from pathlib import Path

import pytest

from ftprep.reading import iter_records, open_source
from ftprep.record import Message, Record
from ftprep.steps.filter.truncated import TruncatedFilter, cut_mid_sentence

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data"

LONG = (
    "The Roman Empire declined over several centuries. Historians point to economic troubles, "
    "including heavy taxation and inflation. Military pressure on the frontiers grew, and the "
    "empire came to rely on mercenaries whose loyalty was uncertain. Political instability "
    "meant that emperors were often overthrown within a few years. "
) * 3


def chat(reply: str, **extra: object) -> Record:
    return Record(
        messages=[Message("user", "Tell me."), Message("assistant", reply, extra=dict(extra))]
    )


def value_of(record: Record, step: TruncatedFilter | None = None) -> str | None:
    reject = (step or TruncatedFilter()).check(record)
    assert reject is None or reject.code == "truncated"
    return None if reject is None else reject.value


def test_finish_reason() -> None:
    assert value_of(chat("Fine.", finish_reason="length")) == "finish_reason"
    assert value_of(chat("Fine.", stop_reason="max_tokens")) == "finish_reason"
    assert value_of(chat("Fine.", finish_reason="stop")) is None
    record = chat("Fine.")
    record.metadata["finish_reason"] = "length"
    assert value_of(record) == "finish_reason"


def test_unclosed_code_fence() -> None:
    assert value_of(chat("Here:\n```python\nfor i in range(10):\n    print(i")) == (
        "unclosed_code_fence"
    )
    assert value_of(chat("Here:\n```python\nprint(1)\n```\nDone.")) is None
    assert value_of(chat("Two:\n```\na\n```\n\n~~~\nb\n~~~")) is None
    assert value_of(chat("````md\n```python\nx\n```\n````")) is None  # a nested fence
    assert value_of(chat("Done, see the code above.\n```")) is None  # a stray empty fence


@pytest.mark.parametrize(
    "reply",
    [
        LONG + "While the empire lasted in the east, its memory serves as a reminder of the",
        LONG + "The final blow came in 476, when Odoacer deposed the last emperor,",
        LONG + "Odoacer, a Germanic chieftain (who had served in the Roman army",
        "Sure! Dementia is a general term for a decline in c",
        LONG + "So next time you read about Rome, remember that empires fall slowly, and",
        "Rome fell in 476. Its last emperor was deposed by Odoacer, who then ruled Italy as king "
        "in",
        "No. Refunds are not reported to credit bureaus, so the duplicate has no effect on",
        LONG + "Historians still argue about which of these causes mattered most, and the debate "
        "is likely to continue for as long as people study the ancient world and its lessons",
    ],
)
def test_cut_mid_sentence(reply: str) -> None:
    assert value_of(chat(reply)) == "mid_sentence"


@pytest.mark.parametrize(
    "reply",
    [
        LONG,
        LONG + "Here are the main causes:\n- economic troubles\n- military defeats",
        LONG + "| Cause | Weight |\n|---|---|\n| taxes | high |",
        LONG + "## Further reading",
        LONG + "```python\nprint('done')\n```",
        LONG + "More at https://en.wikipedia.org/wiki/Fall_of_the_Western_Roman_Empire",
        LONG + "Hope this helps 🙂",
        LONG + "\n\nBest regards,\nNova",
        LONG + "\n\nCheers",
        "罗马帝国的衰落经历了几个世纪，原因包括经济问题和军事压力。",
        "The answer is 42",
        "Positive",
        "dog lazy the over jumped fox brown quick The",  # reversed words, as asked
        "Roses are red\nViolets are blue\nSugar is sweet\nAnd so are you",
        LONG + "I. Introduction\nA. The problem of decline\nB. The sources we have for it",
        LONG + "It ended in 476.",
        LONG + 'As Gibbon wrote, "the decline of Rome was the natural effect of greatness"',
        LONG + "The empire lasted in the east until 1453 (when Constantinople fell)",
        "Many of the world's most successful companies use PHP",  # short: just no full stop
        "Rome fell in 476. That is just how it is",  # a verb or a particle can end it
        "Open the app. Then tap Profile and log in",
        "Restart it. If it's still off, hold the button and turn it on",
        "Use the search. It finds exactly what you're looking for",
        "Try the new plan. You don't have to, but you may want to",
        "Eat more carrots. They are rich in vitamin A",
        "",
    ],
)
def test_complete_replies_are_kept(reply: str) -> None:
    assert value_of(chat(reply)) is None


def test_mid_sentence_thresholds() -> None:
    tail = "Historians still argue about which of these causes mattered most today"
    assert cut_mid_sentence(LONG + tail)
    assert not cut_mid_sentence(LONG + tail, min_words=20)
    assert not cut_mid_sentence("Rome fell. " + tail)  # a short reply: min_chars
    assert cut_mid_sentence("Rome fell. " + tail, min_chars=0)
    assert not cut_mid_sentence(LONG + "Historians still argue about it")  # a short sentence


def test_last_turn_by_default_and_checks() -> None:
    cut = LONG + "It all ended when the"
    record = Record(
        messages=[
            Message("user", "a"),
            Message("assistant", cut),
            Message("user", "b"),
            Message("assistant", "Done."),
        ]
    )
    assert value_of(record) is None
    assert value_of(record, TruncatedFilter(turns="all")) == "mid_sentence"
    assert value_of(chat(cut), TruncatedFilter(checks=["finish_reason"])) is None
    assert value_of(chat("Fine.", finish_reason="length"), TruncatedFilter(checks=[])) is None


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data is not here")
def test_real_data() -> None:
    def drops(name: str) -> dict[int, str]:
        step = TruncatedFilter()
        found = {}
        for record in iter_records(open_source(SHARED / name)):
            if isinstance(record, Record) and (reject := step.check(record)) is not None:
                assert record.source is not None
                found[record.source.line] = reject.value
        return found

    alpaca = drops("llama-factory/alpaca_en_demo.json")
    assert alpaca[180] == "unclosed_code_fence"  # a multiplication table cut at 4x8
    assert alpaca[464] == "mid_sentence"  # "...a reminder of the importance of"
    assert drops("oasst/en_100_tree.jsonl")[43] == "mid_sentence"  # "...a decline in c"
    for clean in ("codealpaca/code_alpaca_2k.json", "fastchat/dummy_conversation.json"):
        assert drops(clean) == {}, clean
