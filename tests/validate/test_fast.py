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
