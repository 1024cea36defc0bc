"""ChatTemplateCounter against the trained tokenizer's ChatML template."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ftprep.errors import MissingExtraError, TokenizerError
from ftprep.tokens import ChatTemplateCounter, HFTokenizerCounter, load_counter
from ftprep.tokens import chat_template as chat_template_module
from ftprep.tokens import loader as loader_module

pytest.importorskip("transformers")
pytest.importorskip("jinja2")

ARGUMENTS = {"city": "Paris"}
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


def conversation(arguments: Any) -> list[dict[str, Any]]:
    return [
        {"role": "system", "content": "You are a careful model."},
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
        {"role": "assistant", "content": "It is sunny today.", "weight": 1},
    ]


@pytest.fixture(scope="module")
def hf_tokenizer(trained_tokenizer_dir: Path) -> Any:
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(trained_tokenizer_dir), local_files_only=True)


def rendered_length(hf_tokenizer: Any, messages: list[dict[str, Any]], tools: Any = None) -> int:
    # Render with transformers directly, messages already in the template's shape (dict arguments,
    # no None values), so the expected value does not go through ftprep's normalisation.
    cleaned = [{k: v for k, v in m.items() if v is not None and k != "weight"} for m in messages]
    text = hf_tokenizer.apply_chat_template(cleaned, tools=tools, tokenize=False)
    return len(hf_tokenizer.backend_tokenizer.encode(text, add_special_tokens=False).ids)


def test_directory_with_template_loads_a_chat_template_counter(trained_tokenizer_dir: Path) -> None:
    counter = load_counter(str(trained_tokenizer_dir))
    assert isinstance(counter, ChatTemplateCounter)
    assert counter.name == f"hf-chat-template:{trained_tokenizer_dir}"
    assert counter.approximate is False
    assert isinstance(load_counter(counter.name), ChatTemplateCounter)
    via_file = load_counter(f"hf-chat-template:{trained_tokenizer_dir / 'tokenizer.json'}")
    assert isinstance(via_file, ChatTemplateCounter)


@pytest.mark.parametrize("tools", [None, TOOLS])
def test_total_is_the_rendered_template_length(
    trained_tokenizer_dir: Path, hf_tokenizer: Any, tools: Any
) -> None:
    counter = load_counter(str(trained_tokenizer_dir))
    total, _ = counter.count_messages(conversation(json.dumps(ARGUMENTS)), tools)
    assert total == rendered_length(hf_tokenizer, conversation(ARGUMENTS), tools)


def test_template_count_differs_from_the_formula(trained_tokenizer_dir: Path) -> None:
    messages = conversation(json.dumps(ARGUMENTS))
    template = load_counter(str(trained_tokenizer_dir)).count_messages(messages, TOOLS)
    formula = HFTokenizerCounter(trained_tokenizer_dir / "tokenizer.json").count_messages(
        messages, TOOLS
    )
    assert template != formula


def test_tools_and_tool_calls_add_tokens(trained_tokenizer_dir: Path) -> None:
    counter = load_counter(str(trained_tokenizer_dir))
    with_call = conversation(json.dumps(ARGUMENTS))
    without_call = [m for m in with_call if not m.get("tool_calls") and m["role"] != "tool"]
    total_call, assistant_call = counter.count_messages(with_call)
    total_plain, assistant_plain = counter.count_messages(without_call)
    assert total_call > total_plain
    assert assistant_call > assistant_plain
    assert counter.count_messages(with_call, TOOLS)[0] > total_call


def test_assistant_tokens_from_the_generation_mask(trained_tokenizer_dir: Path) -> None:
    counter = load_counter(str(trained_tokenizer_dir))
    assert isinstance(counter, ChatTemplateCounter)
    assert counter.exact_assistant
    messages = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "It is sunny."}]
    # The mask covers the reply and its closing <|im_end|> (one special token).
    assert counter.count_messages(messages)[1] == counter.count("It is sunny.") + 1


def fixture_template(model_dir: Path) -> str:
    config = json.loads((model_dir / "tokenizer_config.json").read_text(encoding="utf-8"))
    return str(config["chat_template"])


def test_assistant_tokens_without_generation_tags(
    trained_tokenizer_dir: Path, make_model_dir: Callable[..., Path]
) -> None:
    template = fixture_template(trained_tokenizer_dir)
    template = template.replace("{%- generation %}", "").replace("{%- endgeneration %}", "")
    counter = load_counter(str(make_model_dir("no-generation", template)))
    assert isinstance(counter, ChatTemplateCounter)
    assert not counter.exact_assistant
    messages = conversation(json.dumps(ARGUMENTS))
    formula = HFTokenizerCounter(counter.directory / "tokenizer.json")
    assert counter.count_messages(messages)[1] == formula.count_messages(messages)[1]


def test_chat_template_jinja_file_is_found(
    trained_tokenizer_dir: Path, make_model_dir: Callable[..., Path]
) -> None:
    directory = make_model_dir("jinja-file", None)
    (directory / "chat_template.jinja").write_text(
        fixture_template(trained_tokenizer_dir), encoding="utf-8"
    )
    assert isinstance(load_counter(str(directory)), ChatTemplateCounter)


def test_directory_without_template_uses_the_formula(make_model_dir: Callable[..., Path]) -> None:
    counter = load_counter(str(make_model_dir("plain", None)))
    assert isinstance(counter, HFTokenizerCounter)
    assert counter.note is None


def test_content_parts_are_joined_for_the_template(trained_tokenizer_dir: Path) -> None:
    counter = load_counter(str(trained_tokenizer_dir))
    as_text = [{"role": "user", "content": "Our team\nchecks data."}]
    as_parts = [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Our team"},
                {"type": "text", "text": "checks data."},
            ],
        }
    ]
    assert counter.count_messages(as_parts) == counter.count_messages(as_text)


def test_empty_conversation(trained_tokenizer_dir: Path) -> None:
    assert load_counter(str(trained_tokenizer_dir)).count_messages([]) == (0, 0)


def test_template_failure_is_a_tokenizer_error(trained_tokenizer_dir: Path) -> None:
    counter = load_counter(str(trained_tokenizer_dir))
    # The template concatenates the content of a user turn; without one it cannot render.
    with pytest.raises(TokenizerError, match="chat template"):
        counter.count_messages([{"role": "user", "content": None}])


def test_falls_back_with_a_note_without_transformers(
    trained_tokenizer_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loader_module, "missing_chat_template_module", lambda: "transformers")
    counter = load_counter(str(trained_tokenizer_dir))
    assert isinstance(counter, HFTokenizerCounter)
    assert counter.note is not None
    assert "transformers" in counter.note
    assert "ftprep[chat-template]" in counter.note


def test_explicit_chat_template_needs_the_extra(
    trained_tokenizer_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        chat_template_module, "missing_chat_template_module", lambda: "transformers"
    )
    with pytest.raises(MissingExtraError) as info:
        load_counter(f"hf-chat-template:{trained_tokenizer_dir}")
    assert info.value.extra == "chat-template"
