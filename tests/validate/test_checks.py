"""Each check on realistic examples, and its near misses, straight on in-memory rows."""

from __future__ import annotations

from typing import Any

import pytest

from ftprep.validate.codes import severities
from ftprep.validate.findings import Collector
from ftprep.validate.structure import check_example

SYSTEM = {"role": "system", "content": "You are a helpful support agent for Acme."}


def codes(row: Any, target: str = "openai") -> dict[str, int]:
    out = Collector(severities(target), file="t.jsonl")
    out.start(1)
    check_example(row, out, {"calls": False})
    return dict(out.counts)


def chat(*messages: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"messages": [SYSTEM, *messages], **top}


def user(text: str) -> dict[str, Any]:
    return {"role": "user", "content": text}


def bot(text: str | None, **extra: Any) -> dict[str, Any]:
    return {"role": "assistant", "content": text, **extra}


def call(cid: str, name: str, args: str) -> dict[str, Any]:
    return {"id": cid, "type": "function", "function": {"name": name, "arguments": args}}


TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "lookup_order",
            "parameters": {
                "type": "object",
                "properties": {"order_id": {"type": "string"}},
                "required": ["order_id"],
            },
        },
    }
]


def test_clean_example_has_no_findings() -> None:
    assert codes(chat(user("Where is my order?"), bot("It ships tomorrow."))) == {}


def test_notebook_checks() -> None:
    assert codes([1, 2]) == {"not_an_object": 1}
    assert codes({"prompt": "x"}) == {"missing_messages": 1}
    assert codes({"messages": []}) == {"empty_messages": 1}
    assert codes(chat(user("hi"), {"content": "no role"}))["message_missing_key"] == 1
    assert codes(chat(user("hi"), {"role": "bot", "content": "x"}))["unknown_role"] == 1
    assert codes(chat(user("hi"), bot("ok", timestamp=3)))["unrecognized_key"] == 1
    assert codes(chat(user("hi"), {"role": "assistant"}))["missing_content"] == 1
    assert codes(chat(user("hi")))["no_assistant_message"] == 1
    assert codes({"messages": [SYSTEM, bot("hi")]})["no_user_message"] == 1
    assert codes({"messages": [user("hi"), bot("yo")]}) == {"no_system_message": 1}


def test_notebook_bugs_are_not_errors_here() -> None:
    """weight, tool_calls, the tool role and tools are valid (the notebook flags or crashes on them)."""
    row = chat(
        user("Where is order A1?"),
        bot(None, tool_calls=[call("c1", "lookup_order", '{"order_id": "A1"}')]),
        {"role": "tool", "tool_call_id": "c1", "content": '{"status": "shipped"}'},
        bot("It has shipped.", weight=1),
        tools=TOOLS,
        parallel_tool_calls=False,
    )
    assert codes(row) == {}


def test_order_checks_depend_on_the_target() -> None:
    row = chat(user("Hello"), user("Anyone there?"), bot("Yes, how can I help?"), user("Thanks"))
    assert codes(row) == {"consecutive_same_role": 1, "last_not_assistant": 1}
    out = Collector(severities("llama-factory"), file="t")
    out.start(1)
    check_example(row, out, {"calls": False})
    assert out.by_severity("error") == {"consecutive_same_role": 1, "last_not_assistant": 1}
    assert codes({"messages": [user("hi"), SYSTEM, bot("yo")]})["system_not_first"] == 1


def test_content_and_weight_checks() -> None:
    assert codes(chat(user("   "), bot("x y")))["empty_content"] == 1
    assert codes(chat(user("hi"), bot("ok", weight=2)))["invalid_weight"] == 1
    assert codes(chat(user("hi"), bot("ok", weight=True)))["invalid_weight"] == 1
    assert (
        codes(chat({"role": "user", "content": "hi", "weight": 1}, bot("ok")))[
            "weight_on_non_assistant"
        ]
        == 1
    )
    assert codes(chat(user("hi"), bot("ok"), user("hi"), bot("again")))["duplicate_user_turn"] == 1
    assert codes(chat(user("hi"), {"role": "assistant", "content": 5}))["wrong_content_type"] == 1


@pytest.mark.parametrize(
    ("reply", "code"),
    [
        ("As an AI language model, I don't have opinions.", "ai_hedging"),
        ("I'm just an AI, but here is the answer: 4.", "ai_hedging"),
        ("I'm sorry, but I can't help with that.", "refusal"),
        ("I cannot assist with that request.", "refusal"),
        ("Hello! I am {{name}}, developed by {{author}}.", "template_placeholder"),
        ("Please see [insert link here].", "template_placeholder"),
        ("The cafÃ© is â€œniceâ€.", "mojibake"),
        ("a", "short_message"),
        ("This sentence repeats forever. " * 900, "repetitive_content"),
    ],
)
def test_quality_checks_fire(reply: str, code: str) -> None:
    assert code in codes(chat(user("Tell me"), bot(reply)))


@pytest.mark.parametrize(
    "reply",
    [
        "I cannot stress enough how useful this is: restart the router first.",
        "I can't access your account, but you can reset the password at Settings > Security.",
        "The AI team at Acme shipped it; an AIR purifier is different.",
        "In Jinja write {{ variable }}? No: use the filter syntax shown below.",
        "Le café est très bon, naïve façade, Zürich, 東京.",
        "Sorry for the wait! Your refund was issued today.",
        "42",
    ],
)
def test_quality_near_misses_do_not_fire(reply: str) -> None:
    found = codes(chat(user("Tell me"), bot(reply)))
    assert not set(found) & {
        "ai_hedging",
        "refusal",
        "mojibake",
        "short_message",
        "repetitive_content",
    }, found


def test_long_message() -> None:
    found = codes(chat(user("Tell me"), bot("Lorem ipsum dolor sit amet. " * 1000)))
    assert found["long_message"] == 1 and found["repetitive_content"] == 1


def test_tool_pairing() -> None:
    unanswered = chat(
        user("a"),
        bot(None, tool_calls=[call("c1", "lookup_order", '{"order_id": "1"}')]),
        user("and then?"),
        bot("done now"),
        tools=TOOLS,
    )
    assert codes(unanswered) == {"tool_call_unanswered": 1}
    final_call = chat(
        user("a"),
        bot(None, tool_calls=[call("c1", "lookup_order", '{"order_id": "1"}')]),
        tools=TOOLS,
    )
    assert codes(final_call) == {}
    orphan = chat(
        user("a"), {"role": "tool", "tool_call_id": "zz", "content": "x"}, bot("b"), tools=TOOLS
    )
    assert codes(orphan)["tool_response_orphan"] == 1
    twice = chat(
        user("a"),
        bot(
            None,
            tool_calls=[
                call("c1", "lookup_order", '{"order_id": "1"}'),
                call("c1", "lookup_order", '{"order_id": "2"}'),
            ],
        ),
        {"role": "tool", "tool_call_id": "c1", "content": "x"},
        {"role": "tool", "tool_call_id": "c1", "content": "y"},
        bot("b"),
        tools=TOOLS,
    )
    found = codes(twice)
    assert found["duplicate_tool_call_id"] == 1 and found["tool_response_duplicate"] == 1


def test_tool_arguments_and_schemas() -> None:
    def one(args: str, name: str = "lookup_order", tools: Any = TOOLS) -> dict[str, int]:
        return codes(chat(user("a"), bot(None, tool_calls=[call("c1", name, args)]), tools=tools))

    assert one('{"order_id": "A1"}') == {}
    assert one('{"order_id": ') == {"tool_arguments_invalid_json": 1}
    assert one('{"order_id": 5}') == {"tool_arguments_schema_mismatch": 1}
    assert one("{}") == {"tool_arguments_schema_mismatch": 1}
    assert one('{"order_id": "A1"}', name="cancel_order") == {"tool_unknown_function": 1}
    assert one('{"x": 1}', tools=None) == {"tool_call_without_tools": 1}
    bfcl_style = [
        {"name": "f", "parameters": {"type": "dict", "properties": {"a": {"type": "float"}}}}
    ]
    assert one('{"a": 1.5}', name="f", tools=bfcl_style) == {"tools_invalid_schema": 1}
    assert codes(
        chat(
            user("a"),
            bot(
                None,
                tool_calls=[
                    {
                        "id": "c",
                        "type": "function",
                        "function": {"name": "lookup_order", "arguments": {"order_id": "1"}},
                    }
                ],
            ),
            tools=TOOLS,
        )
    ) == {"tool_arguments_not_string": 1}


def test_examples_over_the_token_limit_are_counted(tmp_path: Any) -> None:
    from ftprep.validate import validate

    f = tmp_path / "t.jsonl"
    short = '{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}'
    long = (
        '{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "'
        + "word " * 400
        + '"}]}'
    )
    f.write_text(short + "\n" + long + "\n")
    report = validate(f, max_tokens=100)
    assert report.over_limit == 1
    assert report.findings.counts["too_many_tokens"] == 1
    assert report.to_dict()["tokens"]["examples_over_limit"] == 1
