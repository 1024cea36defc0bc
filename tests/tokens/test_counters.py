"""ApproxCounter, HFTokenizerCounter, the cookbook formula and load_counter's dispatch."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from ftprep.errors import MissingExtraError, TokenizerError
from ftprep.tokens import ApproxCounter, HFTokenizerCounter, TokenCounter, load_counter
from ftprep.tokens.base import (
    REPLY_PRIMING_TOKENS,
    TOKENS_PER_MESSAGE,
    TOKENS_PER_NAME,
    TOKENS_PER_TOOL_CALL,
)

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Weather for a city",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
        },
    }
]


@pytest.fixture(scope="module")
def encode(trained_tokenizer_json: Path) -> Any:
    tokenizers = pytest.importorskip("tokenizers")
    tokenizer = tokenizers.Tokenizer.from_file(str(trained_tokenizer_json))
    return lambda text: len(tokenizer.encode(text).ids)


# --- ApproxCounter -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("a", 1),
        ("abcd", 1),
        ("abcde", 2),
        ("x" * 200, 50),
        ("你好世界", 4),  # one token per CJK character
        ("こんにちは", 5),  # kana too
        ("привет", 3),  # 12 UTF-8 bytes / 4
        ("héllo", 2),  # 6 UTF-8 bytes / 4, rounded up
        ("日本 is 美しい", 6),  # 5 wide + ceil(len(" is ") / 4)
    ],
)
def test_approx_count(text: str, expected: int) -> None:
    assert ApproxCounter().count(text) == expected


def test_approx_counter_is_labelled_approximate() -> None:
    counter = load_counter(None)
    assert isinstance(counter, ApproxCounter)
    assert isinstance(counter, TokenCounter)
    assert counter.approximate is True
    assert counter.name == "approx"
    assert isinstance(load_counter("approx"), ApproxCounter)


def test_approx_scales_linearly_on_long_text() -> None:
    text = "The quick brown fox jumps over the lazy dog. " * 20_000
    assert ApproxCounter().count(text) == -(-len(text) // 4)


def test_approx_count_messages_by_hand() -> None:
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": "You are helpful."},  # 16 chars -> 4
        {"role": "user", "content": "Hi"},  # 1
        {"role": "assistant", "content": "Hello there!", "weight": 1},  # 12 chars -> 3
    ]
    # priming 3 + 3 messages x (3 framing + 1 role token) + content 4 + 1 + 3
    assert ApproxCounter().count_messages(messages) == (3 + 3 * (3 + 1) + 8, 3)


# --- HFTokenizerCounter ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["", "The cat reads the tokens today.", "Unseen wörds, 123 + émojis 🎉!", "  spaced\n\tout  "],
)
def test_hf_count_equals_tokenizer_length(
    trained_tokenizer_json: Path, encode: Any, text: str
) -> None:
    counter = load_counter(str(trained_tokenizer_json))
    assert isinstance(counter, HFTokenizerCounter)
    assert counter.count(text) == encode(text)


def test_hf_counter_name_round_trips(trained_tokenizer_json: Path) -> None:
    counter = load_counter(str(trained_tokenizer_json))
    assert counter.name == f"hf:{trained_tokenizer_json}"
    assert counter.approximate is False
    again = load_counter(counter.name)
    assert isinstance(again, HFTokenizerCounter)
    assert again.count("Our team checks clean data.") == counter.count(
        "Our team checks clean data."
    )


def test_hf_prefix_on_a_directory_skips_the_template(trained_tokenizer_dir: Path) -> None:
    counter = load_counter(f"hf:{trained_tokenizer_dir}")
    assert isinstance(counter, HFTokenizerCounter)


def test_count_messages_formula_by_hand(trained_tokenizer_json: Path, encode: Any) -> None:
    messages = [
        {"role": "system", "content": "You are a careful model."},
        {"role": "user", "content": "My friend reads a long story.", "name": "ann"},
        {"role": "assistant", "content": "The cat counts the tokens today."},
    ]
    expected = REPLY_PRIMING_TOKENS
    for message in messages:
        expected += TOKENS_PER_MESSAGE + encode(message["role"]) + encode(message["content"])
    expected += encode("ann") + TOKENS_PER_NAME
    counter = load_counter(str(trained_tokenizer_json))
    assert counter.count_messages(messages) == (expected, encode(messages[2]["content"]))


def test_tool_calls_and_tools_are_counted(trained_tokenizer_json: Path, encode: Any) -> None:
    arguments = '{"city": "Paris"}'
    messages: list[dict[str, Any]] = [
        {"role": "user", "content": "Weather in Paris?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "c1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": arguments},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "sunny"},
        {"role": "assistant", "content": "It is sunny."},
    ]
    counter = load_counter(str(trained_tokenizer_json))
    call = encode("get_weather") + encode(arguments) + TOKENS_PER_TOOL_CALL
    assistant = call + encode("It is sunny.")
    expected = REPLY_PRIMING_TOKENS + 4 * TOKENS_PER_MESSAGE
    expected += sum(encode(m["role"]) for m in messages)
    expected += encode("Weather in Paris?") + encode("sunny") + assistant
    assert counter.count_messages(messages) == (expected, assistant)
    tools_json = json.dumps(TOOLS, separators=(",", ":"))
    assert counter.count_messages(messages, TOOLS) == (expected + encode(tools_json), assistant)


def test_content_parts_count_their_text(trained_tokenizer_json: Path, encode: Any) -> None:
    parts = [
        {"type": "text", "text": "Our team checks"},
        {"type": "image_url", "image_url": {"url": "https://example.com/x.png"}},
        {"type": "text", "text": {"value": " clean data."}},
        {"type": "output_text", "value": "Again!"},
    ]
    counter = load_counter(str(trained_tokenizer_json))
    as_parts = counter.count_messages([{"role": "assistant", "content": parts}])
    body = encode("Our team checks") + encode(" clean data.") + encode("Again!")
    assert as_parts == (
        REPLY_PRIMING_TOKENS + TOKENS_PER_MESSAGE + encode("assistant") + body,
        body,
    )


# --- load_counter errors --------------------------------------------------------------------


def test_missing_path_raises_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nope" / "tokenizer.json"
    with pytest.raises(TokenizerError, match="nope"):
        load_counter(str(missing))
    with pytest.raises(TokenizerError, match="nope"):
        load_counter(f"hf:{missing}")


def test_directory_without_tokenizer_json(tmp_path: Path) -> None:
    with pytest.raises(TokenizerError, match=r"no tokenizer\.json"):
        load_counter(str(tmp_path))


def test_invalid_tokenizer_file(tmp_path: Path) -> None:
    bad = tmp_path / "tokenizer.json"
    bad.write_text("{}", encoding="utf-8")
    with pytest.raises(TokenizerError, match=r"not a valid tokenizer\.json"):
        load_counter(str(bad))


def test_unknown_spec() -> None:
    with pytest.raises(TokenizerError, match="no such file"):
        load_counter("definitely-not-a-tokenizer")


def test_missing_tokenizers_extra(
    trained_tokenizer_json: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "tokenizers", None)
    with pytest.raises(MissingExtraError, match=r"ftprep\[tokenizers\]") as info:
        load_counter(str(trained_tokenizer_json))
    assert info.value.extra == "tokenizers"
