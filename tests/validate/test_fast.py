"""The fast path's shortcuts against what they stand for (see ftprep.validate.fast and content)."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

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
    assert not good.order_codes and good.replies == (2,) and good.system == 0
    bad = cache.get((User, User, Assistant))
    assert bad.order_codes and bad.missing_system and bad.users == (0, 1)
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


def _tool_rows() -> list[tuple[str, dict[str, Any]]]:
    """Function-calling examples, clean and each with one thing wrong, named."""
    tools = [
        {
            "type": "function",
            "function": {
                "name": "lookup_order",
                "description": "Look up an order.",
                "parameters": {
                    "type": "object",
                    "properties": {"order_id": {"type": "string"}},
                    "required": ["order_id"],
                    "additionalProperties": False,
                },
            },
        }
    ]

    def call(cid: str = "c1", args: str = '{"order_id": "A1"}', name: str = "lookup_order"):
        return {"id": cid, "type": "function", "function": {"name": name, "arguments": args}}

    def asks(*calls: dict[str, Any], content: Any = None) -> dict[str, Any]:
        return {"role": "assistant", "content": content, "tool_calls": list(calls)}

    def answer(cid: str = "c1", content: str = '{"status": "shipped"}') -> dict[str, Any]:
        return {"role": "tool", "tool_call_id": cid, "content": content}

    system = {"role": "system", "content": "You are the support agent of Acme."}
    user = {"role": "user", "content": "Where is order A1?"}
    done = {"role": "assistant", "content": "Order A1 shipped yesterday."}

    def row(*messages: dict[str, Any], **top: Any) -> dict[str, Any]:
        return {"messages": [system, user, *messages], "tools": tools, **top}

    return [
        ("clean", row(asks(call()), answer(), done)),
        ("clean, words beside the call", row(asks(call(), content="Let me look."), answer(), done)),
        ("clean, empty words", row(asks(call(), content=""), answer(), done)),
        ("clean, last call unanswered", row(asks(call()))),
        ("clean, two calls", row(asks(call(), call("c2")), answer(), answer("c2"), done)),
        ("clean, weight and flags", row(asks(call()), answer(), {**done, "weight": 0},
                                         parallel_tool_calls=False, id="x", metadata={"a": 1})),
        ("clean, tools but no call", row(done)),
        ("unanswered", row(asks(call()), {"role": "user", "content": "hello?"}, done)),
        ("orphan", row(answer("zz"), done)),
        ("answered twice", row(asks(call()), answer(), answer(), done)),
        ("id twice", row(asks(call(), call()), answer(), done)),
        ("invalid json", row(asks(call(args='{"order_id": ')), answer(), done)),
        ("schema mismatch", row(asks(call(args='{"order_id": 5}')), answer(), done)),
        ("missing required", row(asks(call(args="{}")), answer(), done)),
        ("unknown function", row(asks(call(name="cancel")), answer(), done)),
        ("no tools", {"messages": [system, user, asks(call()), answer(), done]}),
        ("tools as a string", row(asks(call()), answer(), done) | {"tools": orjson.dumps(tools).decode()}),
        ("tools null", row(asks(call()), answer(), done) | {"tools": None}),
        ("bad schema", row(asks(call()), answer(), done) | {"tools": [{"type": "function", "function": {"name": "lookup_order", "parameters": {"type": "dict"}}}]}),
        ("no calls, no content", row({"role": "assistant", "content": None}, done)),
        ("empty calls", row(asks(), answer(), done)),
        ("blank tool reply", row(asks(call()), answer(content="  "), done)),
        ("placeholder in a reply", row(asks(call()), answer(), {"role": "assistant", "content": "Dear {{name}}, it shipped."})),
        ("last not assistant", row(asks(call()), answer())),
        ("no system", {"messages": [user, asks(call()), answer(), done], "tools": tools}),
        ("two users in a row", row(user, asks(call()), answer(), done)),
        ("duplicate user turn", row(asks(call()), answer(), done, user, done)),
        ("refusal", row(asks(call()), answer(), {"role": "assistant", "content": "I'm sorry, I can't help with that."})),
        ("tool reply with a name", row(asks(call()), answer() | {"name": "lookup_order"}, done)),
        ("weight 2", row(asks(call()), answer(), {**done, "weight": 2})),
        ("clean, call without type", row(asks({"id": "c1", "function": {"name": "lookup_order", "arguments": '{"order_id": "A1"}'}}), answer(), done)),
    ]  # fmt: skip


def test_tool_fast_path_takes_only_what_the_general_checks_pass() -> None:
    from ftprep.validate.codes import CODES, WARNING
    from ftprep.validate.fast import tool_decoder, tool_example_is_clean
    from ftprep.validate.findings import Collector
    from ftprep.validate.structure import check_example

    decode, roles = tool_decoder().decode, RolesCache()
    taken = []
    for name, row in _tool_rows():
        out = Collector(dict.fromkeys(CODES, WARNING), file="t.jsonl")  # every code counts
        out.start(1)
        check_example(row, out, {"calls": False})
        try:
            clean = tool_example_is_clean(roles, decode(orjson.dumps(row)))
        except (msgspec.DecodeError, msgspec.ValidationError):
            clean = None
        if clean is not None:
            assert not out.counts, (name, dict(out.counts))
            taken.append(name)
    # the clean examples (and only they, here) take the fast path
    assert taken == [name for name, _ in _tool_rows() if name.startswith("clean")]


def test_tool_examples_get_the_same_report_either_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ftprep.validate import run, validate
    from ftprep.validate.render import render_text

    path = tmp_path / "tools.jsonl"
    path.write_bytes(b"".join(orjson.dumps(row) + b"\n" for _, row in _tool_rows() * 3))

    def outputs() -> tuple[str, str]:
        report = validate(path, workers=1)
        return render_text(report, examples=50), orjson.dumps(report.to_dict()).decode()

    fast = outputs()
    assert "tool_call_unanswered" in fast[0] and "tool_arguments_schema_mismatch" in fast[0]

    class Refuses:
        def decode(self, _raw: bytes) -> Any:
            raise ValueError("general path only")

    monkeypatch.setattr(run, "decoder", Refuses)
    monkeypatch.setattr(run, "tool_decoder", Refuses)
    assert outputs() == fast
