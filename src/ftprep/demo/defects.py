"""Planters: each turns a clean record into a line with exactly one kind of defect.

A planter takes the shared random generator and the clean lines written so far, and returns the
line to write and a one-line description of what is wrong with it. :data:`PLANTERS` maps each
stable defect code to its planter; the codes are what a validator is expected to report.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from typing import Any

import orjson

from ftprep.demo import pools
from ftprep.demo.chats import build_chat

Record = dict[str, Any]
Planter = Callable[[random.Random, list[str]], tuple[str, str]]

_CP1252 = [bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(256)]


def dump(record: Any) -> str:
    return orjson.dumps(record).decode()


def mojibake(text: str) -> str:
    """``text`` encoded as UTF-8 and read back as Windows-1252 (undefined bytes kept as is)."""
    return "".join(_CP1252[b] for b in text.encode("utf-8"))


def _answers(record: Record) -> list[int]:
    """Indexes of the assistant messages that have text content."""
    return [
        i for i, m in enumerate(record["messages"]) if m["role"] == "assistant" and m.get("content")
    ]


def _turns(record: Record, role: str) -> list[int]:
    return [i for i, m in enumerate(record["messages"]) if m["role"] == role]


def invalid_json(rng: random.Random, earlier: list[str]) -> tuple[str, str]:
    line = dump(build_chat(rng))
    kind = rng.randrange(3)
    if kind == 0:
        cut = rng.randint(len(line) // 3, len(line) - 2)
        return line[:cut], f"line truncated after {cut} of {len(line)} characters"
    if kind == 1:
        return line[:-1] + ",}", "trailing comma before the closing brace"
    return repr(orjson.loads(line)), "a Python dict repr (single quotes) instead of JSON"


def not_an_object(rng: random.Random, earlier: list[str]) -> tuple[str, str]:
    record = build_chat(rng)
    if rng.random() < 0.5:
        return dump(record["messages"]), "a JSON array (the bare messages list), not an object"
    return dump(dump(record)), "a JSON string (the record encoded twice), not an object"


def missing_messages(rng: random.Random, earlier: list[str]) -> tuple[str, str]:
    record = build_chat(rng, user_turns=1, tool_use=False)
    msgs = record["messages"]
    if rng.random() < 0.5:
        legacy = {"prompt": msgs[1]["content"], "completion": msgs[2]["content"]}
        row = {**legacy, "metadata": record["metadata"]}
    else:
        row = {"conversation": msgs, "metadata": record["metadata"]}
    return dump(row), f"object with keys {', '.join(row)} but no 'messages'"


def unknown_role(rng: random.Random, earlier: list[str]) -> tuple[str, str]:
    record = build_chat(rng, user_turns=rng.randint(2, 4), tool_use=False)
    if rng.random() < 0.5:
        i, role = rng.choice(_turns(record, "user")), "human"
    else:
        i, role = rng.choice(_answers(record)[:-1]), "bot"
    record["messages"][i]["role"] = role
    record["messages"][i].pop("weight", None)
    return dump(record), f"messages[{i}].role is {role!r}"


def missing_content(rng: random.Random, earlier: list[str]) -> tuple[str, str]:
    record = build_chat(rng, tool_use=False)
    i = rng.choice(_turns(record, "user") + _answers(record))
    role = record["messages"][i]["role"]
    del record["messages"][i]["content"]
    return dump(record), f"messages[{i}] ({role}) has no 'content' and no 'tool_calls'"


def empty_content(rng: random.Random, earlier: list[str]) -> tuple[str, str]:
    record = build_chat(rng, tool_use=False)
    i = rng.choice(_turns(record, "user") + _answers(record))
    blank = rng.choice(("", " ", "\n", "  \n", "\t "))
    record["messages"][i]["content"] = blank
    return dump(record), f"messages[{i}].content is blank ({blank!r})"


def no_assistant_message(rng: random.Random, earlier: list[str]) -> tuple[str, str]:
    record = build_chat(rng, user_turns=1, tool_use=False)
    record["messages"] = record["messages"][:2]
    return dump(record), "only a system and a user message, no assistant reply"


def no_user_message(rng: random.Random, earlier: list[str]) -> tuple[str, str]:
    record = build_chat(rng, user_turns=1, tool_use=False)
    system, _, answer = record["messages"]
    if rng.random() < 0.5:
        answer = {
            "role": "assistant",
            "content": f"Hi! I'm {pools.ASSISTANT}. How can I help you today?",
        }
    record["messages"] = [system, answer]
    return dump(record), "only a system and an assistant message, no user turn"


def no_system_message(rng: random.Random, earlier: list[str]) -> tuple[str, str]:
    record = build_chat(rng)
    record["messages"] = record["messages"][1:]
    return dump(record), "no system message (every other record has one)"


def long_message(rng: random.Random, earlier: list[str]) -> tuple[str, str]:
    record = build_chat(rng, category=rng.choice(pools.SUPPORT_CATEGORIES), tool_use=False)
    i = rng.choice(_answers(record))
    content = record["messages"][i]["content"]
    sentences = [c.rstrip(".") + ". " for c in content.split(". ") if len(c) < 300]
    sentence = max(sentences or [content[:200] + ". "], key=len)  # a generation stuck in a loop
    size = rng.randint(25_800, 26_500)
    record["messages"][i]["content"] = (sentence * (size // len(sentence) + 1))[:size].rstrip()
    length = len(record["messages"][i]["content"])
    return dump(record), f"messages[{i}] is {length:,} characters: one sentence repeated"


def template_placeholder(rng: random.Random, earlier: list[str]) -> tuple[str, str]:
    record = build_chat(rng, category=rng.choice(pools.SUPPORT_CATEGORIES), tool_use=False)
    i = rng.choice(_answers(record))
    greeting = rng.choice(
        ("Hi {{name}}, thanks for contacting {{company}}! ", "Hello {{name}}! ", "Dear {{name}}, ")
    )
    record["messages"][i]["content"] = greeting + record["messages"][i]["content"]
    return dump(record), f"messages[{i}] has an unfilled template placeholder"


def mojibake_text(rng: random.Random, earlier: list[str]) -> tuple[str, str]:
    lang = rng.choice(("en", "en", "fr", "de"))
    record = build_chat(rng, foreign=lang != "en", lang=lang, tool_use=False)
    i = rng.choice(_answers(record))
    record["messages"][i]["content"] = mojibake(_typographic(record["messages"][i]["content"]))
    return dump(record), f"messages[{i}] is UTF-8 read as Windows-1252 (mojibake)"


def _typographic(text: str) -> str:
    """Curly quotes and dashes, as a word processor or CMS would write them."""
    text = re.sub(r"(?<!\w)'([^'\n]{2,60}?)'(?!\w)", "\u201c\\1\u201d", text)
    text = text.replace("'", "\u2019").replace(" - ", " \u2014 ")
    return (
        text if not text.isascii() else text + " Thanks for choosing Acme \u2014 we\u2019re here."
    )


def ai_hedging(rng: random.Random, earlier: list[str]) -> tuple[str, str]:
    record = build_chat(rng, category=rng.choice(pools.SUPPORT_CATEGORIES), tool_use=False)
    i = _answers(record)[0]
    hedge = rng.choice(
        (
            "As an AI language model, I cannot access your account directly, but ",
            "As an AI language model, I cannot see your order details. However, ",
            "As an AI, I cannot make changes myself, but in general ",
        )
    )
    content = record["messages"][i]["content"]
    if content[1:2].islower():
        content = content[:1].lower() + content[1:]
    record["messages"][i]["content"] = hedge + content
    return dump(record), f"messages[{i}] opens with 'As an AI...' hedging"


def refusal(rng: random.Random, earlier: list[str]) -> tuple[str, str]:
    record = build_chat(rng, tool_use=False)
    i = rng.choice(_answers(record))
    record["messages"][i]["content"] = rng.choice(
        (
            "I'm sorry, but I can't help with that.",
            "I'm sorry, but I can't assist with that request.",
            "Sorry, I can't help with that.",
        )
    )
    return dump(record), f"messages[{i}] is a bare refusal"


def invalid_weight(rng: random.Random, earlier: list[str]) -> tuple[str, str]:
    record = build_chat(rng, tool_use=False)
    i = rng.choice(_answers(record))
    record["messages"][i]["weight"] = 2
    return dump(record), f"messages[{i}].weight is 2 (must be 0 or 1)"


def _call(record: Record) -> tuple[int, Record]:
    """The first assistant message with tool calls, and its index."""
    i = next(i for i, m in enumerate(record["messages"]) if m.get("tool_calls"))
    return i, record["messages"][i]


def tool_arguments_invalid_json(rng: random.Random, earlier: list[str]) -> tuple[str, str]:
    record = build_chat(rng, tool_use=True, parallel=False)
    i, message = _call(record)
    function = message["tool_calls"][0]["function"]
    args = function["arguments"]
    function["arguments"] = rng.choice((args[:-1], args.replace('"', "'"), args[1:-1]))
    return dump(record), f"messages[{i}].tool_calls[0].function.arguments is not valid JSON"


def tool_call_unanswered(rng: random.Random, earlier: list[str]) -> tuple[str, str]:
    record = build_chat(rng, tool_use=True, parallel=False)
    i, message = _call(record)
    nudge = rng.choice(("hello?", "Any update?", "are you still there?", "??"))
    record["messages"][i + 1] = {"role": "user", "content": nudge}
    call_id = message["tool_calls"][0]["id"]
    return dump(record), f"tool call {call_id} in messages[{i}] has no tool message answering it"


def tool_unknown_function(rng: random.Random, earlier: list[str]) -> tuple[str, str]:
    record = build_chat(rng, tool_use=True, parallel=False)
    i, message = _call(record)
    name = rng.choice(pools.UNKNOWN_FUNCTIONS)
    message["tool_calls"][0]["function"]["name"] = name
    return dump(record), f"messages[{i}] calls {name!r}, which is not in 'tools'"


def duplicate_tool_call_id(rng: random.Random, earlier: list[str]) -> tuple[str, str]:
    record = build_chat(rng, parallel=True)
    i, message = _call(record)
    first, second = message["tool_calls"]
    old, second["id"] = second["id"], first["id"]
    for m in record["messages"]:
        if m.get("tool_call_id") == old:
            m["tool_call_id"] = first["id"]
    return dump(record), f"tool call id {first['id']} is used twice in messages[{i}]"


def last_not_assistant(rng: random.Random, earlier: list[str]) -> tuple[str, str]:
    record = build_chat(rng, tool_use=False)
    last = rng.choice(("Thanks!", "ok", "One more question about my order", "hello?", "wait"))
    record["messages"].append({"role": "user", "content": last})
    n = len(record["messages"]) - 1
    return dump(record), f"conversation ends with a user turn (messages[{n}])"


def consecutive_same_role(rng: random.Random, earlier: list[str]) -> tuple[str, str]:
    record = build_chat(rng, tool_use=False)
    i = rng.choice(_turns(record, "user"))
    nudge = rng.choice(("hello?", "??", "Are you there?", "anyone?", "Please answer"))
    record["messages"].insert(i + 1, {"role": "user", "content": nudge})
    return dump(record), f"messages[{i}] and messages[{i + 1}] are both user turns"


def unrecognized_key(rng: random.Random, earlier: list[str]) -> tuple[str, str]:
    record = build_chat(rng, tool_use=False)
    i = rng.randrange(1, len(record["messages"]))
    key, value = rng.choice(
        (
            ("timestamp", record["metadata"]["created_at"]),
            ("loss_weight", 0.5),
            ("feedback", "thumbs_up"),
        )
    )
    record["messages"][i][key] = value
    return dump(record), f"messages[{i}] has an unrecognized key {key!r}"


def exact_duplicate(rng: random.Random, earlier: list[str]) -> tuple[str, str]:
    if not earlier:
        raise ValueError("exact_duplicate needs an earlier clean line")
    source = rng.randrange(max(0, len(earlier) - 30), len(earlier))
    return earlier[source], "byte-for-byte copy of an earlier line"


#: Defect code -> planter, in the order the codes are documented.
PLANTERS: dict[str, Planter] = {
    "invalid_json": invalid_json,
    "not_an_object": not_an_object,
    "missing_messages": missing_messages,
    "unknown_role": unknown_role,
    "missing_content": missing_content,
    "empty_content": empty_content,
    "no_assistant_message": no_assistant_message,
    "no_user_message": no_user_message,
    "no_system_message": no_system_message,
    "long_message": long_message,
    "template_placeholder": template_placeholder,
    "mojibake": mojibake_text,
    "ai_hedging": ai_hedging,
    "refusal": refusal,
    "invalid_weight": invalid_weight,
    "tool_arguments_invalid_json": tool_arguments_invalid_json,
    "tool_call_unanswered": tool_call_unanswered,
    "tool_unknown_function": tool_unknown_function,
    "duplicate_tool_call_id": duplicate_tool_call_id,
    "last_not_assistant": last_not_assistant,
    "consecutive_same_role": consecutive_same_role,
    "unrecognized_key": unrecognized_key,
    "exact_duplicate": exact_duplicate,
}
DEFECT_CODES: tuple[str, ...] = tuple(PLANTERS)
