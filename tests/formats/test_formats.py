from __future__ import annotations

import orjson
import pytest

from ftprep.errors import DetectionError, FormatError
from ftprep.formats import ColumnMapping, Losses, Unconvertible, detect_format, get_format
from ftprep.record import Provenance

SRC = Provenance("data.json", 7)


def test_alpaca_reads_variants_and_keeps_the_instruction_input_split() -> None:
    row = {
        "instruction": "Translate to French.",
        "input": "Good morning",
        "output": "Bonjour",
        "system": "You translate.",
        "history": [["Hi", "Hello!"]],
        "lang": "fr",
    }
    (record,) = get_format("alpaca").parse(row, SRC)
    assert [m.role for m in record.messages] == ["system", "user", "assistant", "user", "assistant"]
    assert record.messages[3].content == "Translate to French.\nGood morning"
    assert record.extra == {"lang": "fr"}
    assert get_format("alpaca").render(record, Losses()) == row
    (resp,) = get_format("alpaca").parse({"instruction": "Q", "response": "A"})
    assert resp.messages[-1].content == "A"


def test_alpaca_errors_name_line_and_field() -> None:
    with pytest.raises(FormatError) as err:
        get_format("alpaca").parse({"instruction": "Q", "output": ["a", "b"]}, SRC)
    assert str(err.value).startswith("data.json:7: output:")
    with pytest.raises(FormatError, match="history\\[0\\]"):
        get_format("alpaca").parse(
            {"instruction": "Q", "output": "A", "history": [["only one"]]}, SRC
        )


def test_alpaca_target_counts_what_it_cannot_hold() -> None:
    row = {
        "messages": [
            {"role": "user", "content": "Where is order A1?"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "c1",
                        "type": "function",
                        "function": {"name": "track", "arguments": '{"id": "A1"}'},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "c1", "content": '{"status": "shipped"}'},
            {"role": "assistant", "content": "It has shipped.", "weight": 1},
        ],
        "tools": [
            {"type": "function", "function": {"name": "track", "parameters": {"type": "object"}}}
        ],
    }
    (record,) = get_format("openai").parse(row)
    losses = Losses()
    out = get_format("alpaca").render(record, losses)
    assert out == {"instruction": "Where is order A1?", "input": "", "output": "It has shipped."}
    assert losses == {
        "messages.tool_calls": 1,
        "messages (tool results)": 1,
        "tools": 1,
        "messages.weight": 1,
    }


def test_alpaca_target_rejects_what_does_not_end_with_a_reply() -> None:
    (record,) = get_format("openai").parse({"messages": [{"role": "user", "content": "hi"}]})
    with pytest.raises(Unconvertible, match="ends with an assistant reply"):
        get_format("alpaca").render(record, Losses())


def test_sharegpt_function_calls_become_tool_calls_with_answers() -> None:
    row = {
        "conversations": [
            {"from": "human", "value": "Find a chicken recipe"},
            {
                "from": "function_call",
                "value": '{"name": "search_recipes", "arguments": {"ingredients": ["chicken"]}}',
            },
            {"from": "observation", "value": '{"recipes": []}'},
            {"from": "gpt", "value": "No recipes found."},
        ],
        "tools": '[{"name": "search_recipes", "parameters": {"type": "object"}}]',
    }
    (record,) = get_format("sharegpt").parse(row, SRC)
    call = record.messages[1].tool_calls[0]  # type: ignore[index]
    assert (call.name, orjson.loads(call.arguments), call.id) == (
        "search_recipes",
        {"ingredients": ["chicken"]},
        "call_0_0",
    )
    assert record.messages[2].tool_call_id == "call_0_0"
    assert record.tools == [
        {
            "type": "function",
            "function": {"name": "search_recipes", "parameters": {"type": "object"}},
        }
    ]
    back = get_format("sharegpt").render(record, Losses())
    assert orjson.loads(back["tools"]) == orjson.loads(row["tools"])
    assert [t["from"] for t in back["conversations"]] == [
        "human",
        "function_call",
        "observation",
        "gpt",
    ]


def test_sharegpt_unknown_tag_is_named() -> None:
    with pytest.raises(FormatError) as err:
        get_format("sharegpt").parse({"conversations": [{"from": "narrator", "value": "x"}]}, SRC)
    assert err.value.field == "conversations[0].from"
    assert "--map" in str(err.value)


def test_completion_string_and_conversational_forms() -> None:
    (simple,) = get_format("completion").parse({"prompt": "2+2?", "completion": "4"})
    assert get_format("completion").render(simple, Losses()) == {
        "prompt": "2+2?",
        "completion": "4",
    }
    row = {
        "prompt": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "2+2?"}],
        "completion": [{"role": "assistant", "content": "4"}],
    }
    (conv,) = get_format("completion").parse(row)
    assert get_format("completion").render(conv, Losses()) == row


def test_oasst_tree_gives_one_conversation_per_leaf() -> None:
    def leaf(mid, text, role, replies=()):
        return {
            "message_id": mid,
            "text": text,
            "role": role,
            "replies": list(replies),
        }

    tree = {
        "message_tree_id": "t1",
        "prompt": leaf(
            "m0",
            "Q?",
            "prompter",
            [
                leaf("a1", "A1", "assistant", [leaf("q2", "More?", "prompter")]),
                leaf("a2", "A2", "assistant"),
            ],
        ),
    }
    records = get_format("oasst").parse(tree, SRC)
    assert [[m.content for m in r.messages] for r in records] == [
        ["Q?", "A1", "More?"],
        ["Q?", "A2"],
    ]
    assert {r.metadata["group_id"] for r in records} == {"t1"}
    assert records[1].id == "a2"


def test_detection_and_its_message() -> None:
    assert detect_format([{"instruction": "a", "output": "b"}]).name == "alpaca"
    assert detect_format([{"messages": [{"role": "user", "content": "x"}]}]).name == "openai"
    assert detect_format([{"conversations": [{"from": "human", "value": "x"}]}]).name == "sharegpt"
    assert detect_format([{"prompt": "a", "completion": "b"}]).name == "completion"
    assert detect_format([{"text": "a"}]).name == "text"
    with pytest.raises(DetectionError) as err:
        detect_format([{"question": "a", "answer": "b"}], file="qa.jsonl")
    message = str(err.value)
    assert "qa.jsonl" in message and "['answer', 'question']" in message and "--map" in message


def test_column_mapping_reads_a_custom_schema() -> None:
    mapping = ColumnMapping.from_options(
        ["prompt=question,response=answer", "metadata.category=topic"]
    )
    (record,) = mapping.build().parse(
        {"question": "Capital of France?", "answer": "Paris", "topic": "geo"}
    )
    assert [m.content for m in record.messages] == ["Capital of France?", "Paris"]
    assert record.metadata == {"category": "geo"}
    chat = ColumnMapping.from_options(
        ["messages=dialog,role_tag=speaker,content_tag=text,user_tag=customer,assistant_tag=agent"]
    )
    (conv,) = chat.build().parse(
        {"dialog": [{"speaker": "customer", "text": "Hi"}, {"speaker": "agent", "text": "Hello"}]}
    )
    assert [(m.role, m.content) for m in conv.messages] == [("user", "Hi"), ("assistant", "Hello")]
    with pytest.raises(FormatError, match="unknown key 'promt'"):
        ColumnMapping.from_options(["promt=question"])


def test_bad_tools_string_names_file_line_and_field() -> None:
    from ftprep.record import Record

    with pytest.raises(FormatError) as err:
        Record.from_dict({"messages": [], "tools": "not json"}, SRC)
    assert str(err.value).startswith("data.json:7: tools: is a string that is not valid JSON")
