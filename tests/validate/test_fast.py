"""The fast path's shortcuts against what they stand for (see ftprep.validate.fast and content)."""

from __future__ import annotations

import re
import sys

import msgspec
import orjson
import pytest

from ftprep.validate import content
from ftprep.validate.fast import Assistant, RolesCache, System, User, decoder


def test_refusal_start_is_every_character_the_regex_engine_folds_to_i_s_u_b_t() -> None:
    folds = re.compile(r"(?i)[isubt]")
    found = {chr(c) for c in range(sys.maxunicode + 1) if folds.match(chr(c))}
    assert found == content.REFUSAL_START


def test_isalnum_or_underscore_is_the_regex_word_character() -> None:
    word = re.compile(r"\w")
    for code in range(sys.maxunicode + 1):
        c = chr(code)
        assert (c.isalnum() or c == "_") == bool(word.match(c)), hex(code)


@pytest.mark.parametrize(
    "text",
    [
        "I'm sorry, but I can't help with that.",
        "i cannot assist with this",
        "Sorry, I can't do that",
        "Unfortunately I am unable to provide that",
        "But I won't help",
        "That's not something I can help with",
        "  ...I cannot help",
        "\u0130 cannot help with that",
        "\u017forry, I cannot help",
        "Thanks, I can't help with that",
        "Happy to help!",
        "1. I cannot help",
        "_I cannot help",
        "",
    ],
)
def test_may_refuse_is_the_refusal_match(text: str) -> None:
    assert content._may_refuse(text) == bool(content._REFUSAL.match(text))


def test_texts_are_clean_only_when_check_texts_finds_nothing() -> None:
    from ftprep.validate.codes import severities
    from ftprep.validate.findings import Collector

    cases = [
        ["Hello", "Hi there, how can I help?"],
        ["Hello", "k"],
        ["Hello", "As an AI language model, I cannot."],
        ["Hello", "Use {{name}} here"],
        ["Hello", "Use [insert name] here"],
        ["Hello [Insert x]", "ok then"],
        ["Caf\u00c3\u00a9", "fine thanks"],
        ["Hello", "x" * 2500],
        ["Hello", "word " * 5000],
        ["Hello", "I'm sorry, I can't help with that."],
    ]
    for texts in cases:
        roles = ["user", "assistant"]
        out = Collector(severities("openai"), file="f")
        out.start(1)
        content.check_texts(
            [(i, r, t) for i, (r, t) in enumerate(zip(roles, texts, strict=False))], out
        )
        clean = content.texts_are_clean(texts, "\x00".join(texts), [texts[1]], [texts[0]])
        assert clean == (not out.counts), (texts, dict(out.counts))
    assert not content.texts_are_clean(["a b", "x y", "a b"], "a b\x00x y\x00a b", [], ["a b"] * 2)


def test_decoder_takes_only_plain_examples() -> None:
    decode = decoder().decode
    example = decode(
        b'{"messages": [{"role": "system", "content": "s"}, {"content": "u", "role": "user"},'
        b' {"role": "assistant", "content": "a", "weight": 0}], "id": 1, "metadata": {}}'
    )
    assert [type(m) for m in example.messages] == [System, User, Assistant]
    refused = [
        b'{"messages": [{"role": "tool", "content": "x"}]}',
        b'{"messages": [{"role": "user", "content": "x", "weight": 1}]}',
        b'{"messages": [{"role": "assistant", "content": "x", "weight": 2}]}',
        b'{"messages": [{"role": "assistant", "content": null}]}',
        b'{"messages": [{"role": "user", "content": "x", "name": "n"}]}',
        b'{"messages": [], "tools": []}',
        b'{"messages": [{"role": "user", "role": "assistant", "content": "x"}]}',
        b'{"messages": [{"role": "user", "content": "\\ud800"}]}',
        b'{"messages": [], "metadata": 1e400}',
        b"[1]",
        b"",
    ]
    for raw in refused:
        with pytest.raises((msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError)):
            decode(raw)
    # what it takes, it reads as orjson does: the last of duplicate keys
    raw = b'{"messages": [{"role": "user", "content": "a", "content": "b"}], "messages": []}'
    assert decode(raw).messages == [] and orjson.loads(raw)["messages"] == []


def test_roles_cache_learns_the_order_findings() -> None:
    cache = RolesCache(size=2)
    good = cache.get((System, User, Assistant))
    assert not good.order_findings and good.replies == (2,) and good.system == 0
    bad = cache.get((User, User, Assistant))
    assert bad.order_findings and bad.missing_system and bad.users == (0, 1)
    cache.get((Assistant,))
    assert len(cache.known) == 1  # cleared when full


def test_find_placeholder_is_the_regex_search() -> None:
    import random

    rng = random.Random(7)
    pieces = ["{", "}", "{{", "}}", "{%", "%}", "[", "]", "[insert ", "[INSERT ", "name", " ", "\n", "x.y", "-", "\x00", "é"]  # fmt: skip
    texts = [
        "Hello {{ name }} and [insert date]",
        "{% if x %}",
        '{"a": {"b": 1}}',
        "[Insert x] {{y}}",
    ]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randrange(1, 30))) for _ in range(3000)]
    hits = 0
    for text in texts:
        expected = content._PLACEHOLDER.search(text)
        found = content._find_placeholder(text)
        assert (found and found.span()) == (expected and expected.span()), text
        hits += expected is not None
    assert hits > 300


def test_mojibake_guard_holds_for_every_match() -> None:
    starts = set("\u00c3\u00c2\u00e2\u00ef\ufffd")
    for code in range(0x20, 0x3000):
        text = "x" + chr(code) + "\u20ac\u00a9\u00bb\u00bf"
        match = content._MOJIBAKE.search(text)
        if match:
            assert match.group(0)[0] in starts and content._mojibake_guard(text)
    assert not content._mojibake_guard("caf\u00e9 \u4f60\u597d")


def test_refusal_next_letters_fold_only_to_their_two_cases() -> None:
    for letter in "orrnfouthat":
        folds = re.compile(f"(?i){letter}")
        found = {chr(c) for c in range(sys.maxunicode + 1) if folds.match(chr(c))}
        assert found == {letter.lower(), letter.upper()}


def test_may_refuse_agrees_with_the_regex_on_many_openings() -> None:
    import random

    rng = random.Random(3)
    words = ["I", "i", "I'm", "im", "I am", "sorry", "Sorry,", "So", "Sure", "Unfortunately", "Un",
             "But", "but", "Bu", "That's", "that", "Thanks", "The", "\u0130", "\u017forry", "...",
             "!", " ", "  ", "can't", "cannot", "am unable to", "won't", "will not", "must decline",
             "help", "assist", "provide", "not something I can", "afraid", "apologize", "very", "x"]  # fmt: skip
    openers = [
        "",
        "Sorry, ",
        "I'm sorry, but ",
        "Unfortunately ",
        "But ",
        "...",
        "\u0130 ",
        "ſorry ",
    ]
    modals = ["I can't", "I cannot", "I am unable to", "I won't", "I must decline to", "That's not something I can"]  # fmt: skip
    refusals = 0
    for k in range(20000):
        if k % 2:
            text = (
                rng.choice(openers) + rng.choice(modals) + " " + rng.choice(["help", "assist", "x"])
            )
        else:
            text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 7)))
        expected = bool(content._REFUSAL.match(text))
        assert content._may_refuse(text) == expected, text
        refusals += expected
    assert refusals > 200
