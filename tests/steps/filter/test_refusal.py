"""filter.refusal: refusals and hedging at sentence level, redirects kept, near misses kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from ftprep.reading import iter_records, open_source
from ftprep.record import Message, Record
from ftprep.steps.filter.refusal import RefusalFilter

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data"


def chat(*replies: str, user: str = "Can you help me?") -> Record:
    messages = [Message("system", "You are a helpful assistant.")]
    for reply in replies:
        messages += [Message("user", user), Message("assistant", reply)]
    return Record(messages=messages)


def verdict(reply: str, step: RefusalFilter | None = None, user: str = "Can you help?") -> str:
    reject = (step or RefusalFilter()).check(chat(reply, user=user))
    return "keep" if reject is None else reject.code


REFUSALS = [
    "I'm sorry, but I can't help with that.",
    "I'm sorry, but I can't assist with that request.",
    "Sorry, I can't help with that.",
    "I cannot provide that information.",
    "I’m unable to comply with this request.",
    "I am not able to share personal details about other users.",
    "Unfortunately, I am unable to browse the internet.",
    "I'm afraid I can't do that.",
    "I must respectfully decline.",
    "That's not something I can help with.",
    "I won't be able to help you with this one.",
    "I apologize, but I cannot fulfill this request.",
    "I understand your frustration, but I can't share information about other customers.",
    "It is not appropriate for me to give legal advice on this.",
    "**I'm sorry, but I can't write that.**",
    # a reason is no redirect, however long
    "I cannot provide medical advice, since I am not a doctor and your symptoms need a proper "
    "examination by a qualified physician who knows your history.",
    # pleasantries and lectures after a refusal are no help
    "I cannot provide medical advice. If you have any other questions, feel free to ask!",
    "I'm sorry, but I can't help with that. Hacking into someone's account is illegal and "
    "unethical, and it violates their privacy.",
    "I'm sorry, but I'm unable to assist with booking flights. My current capabilities are "
    "limited to calculating mortgage payments. If you need help with that, feel free to ask!",
    "Unfortunately I can't help with this. I do not know who Sarah is. Is there anything else "
    "I can help you with?",
]

NOT_REFUSALS = [
    "I cannot stress enough how useful this is. Use it every day.",
    "I can't wait to try it!",
    "You cannot use a list here; use a tuple instead.",
    "I'm unable to reproduce the bug on 3.11, but on 3.12 the fix is to pin the version.",
    "I can't help but notice that your loop never ends.",
    "I can't recommend this book enough!",
    "I won't give up on this, and neither should you.",
    "I can help with that! Go to Settings > Account and tap Reset password.",
    "We can't change the address once the order has shipped, but the carrier can redirect it.",
    "Sorry about that! Your refund is on its way and should arrive in 3-5 business days.",
    "Here's the code:\n```python\nprint('I cannot do that')\n```",
    "Of course. I could not find any charges on your card after March 3, so nothing is pending.",
    "I can't see why this would fail; the config looks right to me.",
    "",
]


@pytest.mark.parametrize("reply", REFUSALS)
def test_refusals_are_dropped(reply: str) -> None:
    reject = RefusalFilter().check(chat(reply))
    assert reject is not None and reject.code == "refusal"
    assert isinstance(reject.value, str) and len(reject.value) <= 200


@pytest.mark.parametrize("reply", NOT_REFUSALS)
def test_near_misses_are_kept(reply: str) -> None:
    assert verdict(reply) == "keep"


def test_the_user_saying_it_is_not_judged() -> None:
    record = Record(
        messages=[
            Message("user", "As an AI researcher, I find this odd. I cannot provide the data."),
            Message("assistant", "Good question! Transformers attend over the whole context."),
        ]
    )
    assert RefusalFilter().check(record) is None
    reject = RefusalFilter(roles=["user"]).check(record)
    assert reject is not None and reject.code == "refusal"


def test_a_redirect_with_concrete_help_is_kept_unless_redirects_are_not_allowed() -> None:
    reply = (
        "I can't share that, but here's how you can reset it yourself: 1. Open Settings. "
        "2. Tap Account > Reset password. 3. Follow the link we email you."
    )
    assert verdict(reply) == "keep"
    assert verdict(reply, RefusalFilter(allow_redirect=False)) == "refusal"
    assert verdict(reply, RefusalFilter(redirect_min_chars=500)) == "refusal"
    short = "I can't share that. Instead, try the app."
    assert verdict(short) == "refusal"


def test_redirects_are_counted() -> None:
    step = RefusalFilter()
    reply = (
        "I'm unable to provide real-time prices. However, as of 2023 the Model 3 started "
        "at about $40,000 in the US; check the maker's site for today's price."
    )
    assert step.check(chat(reply)) is None
    assert step.take_stats().counts["refusal_redirect"] == 1


def test_a_caveat_after_an_answer_is_kept_even_without_redirects() -> None:
    reply = (
        "The capital of France is Paris. It has been the seat of government for centuries and "
        "is home to the Louvre. I can't provide real-time population figures, though."
    )
    assert verdict(reply, RefusalFilter(allow_redirect=False)) == "keep"


HEDGES = [
    "As an AI language model, I don't have personal opinions, but many people prefer Python.",
    "As an AI, I cannot make changes myself, but in general you can update it under Settings "
    "> Billing, and the new card is used for the next charge.",
    "I'm just an AI, so I can't feel emotions, but that sounds exciting!",
    "I don't have personal preferences. Both options work well for a beginner.",
    "As of my last knowledge update, the latest version was 3.11.",
    "I apologize for the confusion. The correct answer is 42.",
    "Apologies for the confusion in my previous response: the loop should start at 1.",
    "I'm an AI language model and do not have access to real-time market data.",
]

NOT_HEDGES = [
    "As an AI researcher would tell you, attention is all you need.",
    "AI language models such as GPT-4 are trained on large corpora.",
    "ChatGPT works as a language model that predicts the next token.",
    "Sorry for the delay! Your order shipped this morning.",
    "I apologize for the inconvenience; the replacement ships today.",
    "Hello! I am Nova, an AI assistant for Acme. How can I help?",
]


@pytest.mark.parametrize("reply", HEDGES)
def test_hedging_is_dropped(reply: str) -> None:
    assert verdict(reply) == "hedging"


@pytest.mark.parametrize("reply", NOT_HEDGES)
def test_hedging_near_misses_are_kept(reply: str) -> None:
    assert verdict(reply) == "keep"


def test_hedging_can_be_counted_without_dropping() -> None:
    step = RefusalFilter(drop_hedging=False)
    assert step.check(chat("As an AI, I don't have feelings, but thanks for asking!")) is None
    assert step.take_stats().counts["hedging_seen"] == 1


def test_saying_what_it_is_answers_a_question_about_itself() -> None:
    reply = "I'm a language model developed by LMSYS."
    assert verdict(reply, user="Who taught you?") == "keep"
    assert verdict(reply, user="What is your name?") == "keep"
    assert verdict(reply, user="What is the capital of Peru?") == "hedging"


def test_last_turn_only() -> None:
    record = chat("I can't help with that.", "Sure! Paris is the capital of France.")
    assert RefusalFilter().check(record) is not None
    assert RefusalFilter(turns="last").check(record) is None


def test_pattern_lists_can_be_replaced_and_extended() -> None:
    reply = "Computer says no."
    assert verdict(reply) == "keep"
    assert verdict(reply, RefusalFilter(extra_refusal_patterns=[r"computer says no"])) == "refusal"
    assert verdict("I can't help with that.", RefusalFilter(refusal_patterns=[])) == "keep"
    step = RefusalFilter(hedge_patterns=[], extra_hedge_patterns=[r"\bbeep boop\b"])
    assert verdict("As an AI, I think so.", step) == "keep"
    assert verdict("Beep boop, here it is.", step) == "hedging"


def test_text_parts_are_read() -> None:
    record = Record(
        messages=[
            Message("user", "hi"),
            Message("assistant", [{"type": "text", "text": "Sorry, I can't help with that."}]),
        ]
    )
    reject = RefusalFilter().check(record)
    assert reject is not None and reject.value == "Sorry, I can't help with that."


def test_parameters_are_checked() -> None:
    with pytest.raises(ValidationError, match="invalid regular expression"):
        RefusalFilter(extra_refusal_patterns=["(unclosed"])
    with pytest.raises(ValidationError):
        RefusalFilter(drop_hedgeing=False)
    with pytest.raises(ValidationError):
        RefusalFilter(turns="first")


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data is not here")
def test_real_data() -> None:
    def drops(name: str) -> dict[int, str]:
        step = RefusalFilter()
        found = {}
        for record in iter_records(open_source(SHARED / name)):
            if isinstance(record, Record) and (reject := step.check(record)) is not None:
                assert record.source is not None
                found[record.source.line] = reject.code
        return found

    oasst = drops("oasst/en_100_tree.jsonl")
    assert oasst[56] == "refusal" and oasst[98] == "refusal"  # "I cannot do that.", "I can't help"
    assert drops("fastchat/dummy_conversation.json") == {}  # "I'm a language model called..."
    alpaca = drops("llama-factory/alpaca_en_demo.json")
    assert set(alpaca.values()) == {"hedging"} and 20 <= len(alpaca) <= 30
    assert drops("openai-cookbook/drone_training.jsonl") == {}
    assert drops("codealpaca/code_alpaca_2k.json") == {}
