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
from ftprep.demo.chats import build_chat, opening_pair, scenarios_of
from ftprep.demo.slots import draw_slots

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
    looped = (sentence * (size // len(sentence) + 1))[:size]
    record["messages"][i]["content"] = looped[: looped.rfind(". ") + 1]  # ends on a full stop
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


_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
#: error messages a chat front end or an API gateway shows instead of an answer
_ERROR_MESSAGES = (
    "Sorry, something went wrong. Please try again later.",
    "Something went wrong while generating a response. Please try again.",
    "Oops! Something went wrong. Please try again in a few minutes.",
    "An error occurred while processing your request. Please try again later.",
    "The server is currently overloaded. Please try again later.",
)
#: (message, type, code) of an OpenAI-style JSON error body
_ERROR_BODIES = (
    ("Rate limit exceeded", "requests", 429),
    ("Rate limit reached for requests. Please try again in 20s.", "requests", 429),
    ("The server had an error while processing your request.", "server_error", 500),
    ("Request timed out.", "timeout", 504),
)
_STATUS_PAGES = (
    "502 Bad Gateway",
    "503 Service Unavailable",
    "504 Gateway Time-out",
    "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n<center><h1>502 Bad Gateway"
    "</h1></center>\n<hr><center>nginx</center>\n</body>\n</html>",
)
#: (the code line that failed, the exception it raised) for a pasted Python traceback
_CRASHES = (
    ('order = orders[args["order_id"]]', "KeyError: 'order_id'"),
    ('status = order.get("status")', "AttributeError: 'NoneType' object has no attribute 'get'"),
    ("resp = client.post(url, json=payload, timeout=10)", "TimeoutError: timed out"),
    (
        "data = json.loads(resp.text)",
        "json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)",
    ),
)


def _traceback(rng: random.Random) -> str:
    code, exception = rng.choice(_CRASHES)
    handler = rng.choice(("handle_message", "respond", "run_turn"))
    tool = rng.choice(("lookup_order", "get_shipping_status", "get_payment_history"))
    return (
        "Traceback (most recent call last):\n"
        f'  File "/srv/nova/app/handlers.py", line {rng.randint(80, 400)}, in {handler}\n'
        "    reply = pipeline.run(conversation)\n"
        f'  File "/srv/nova/app/tools.py", line {rng.randint(20, 300)}, in {tool}\n'
        f"    {code}\n{exception}"
    )


def _error_text(rng: random.Random) -> str:
    """What the logs recorded as the reply when the backend failed."""
    kind = rng.randrange(5)
    if kind == 0:
        return rng.choice(_ERROR_MESSAGES)
    if kind == 1:
        return _traceback(rng)
    if kind == 2:
        message, error_type, code = rng.choice(_ERROR_BODIES)
        body = {"message": message, "type": error_type, "param": None, "code": code}
        return dump({"error": body})
    if kind == 3:
        return rng.choice(_STATUS_PAGES)
    request_id = "req_" + "".join(rng.choices("0123456789abcdef", k=16))
    return f"An internal error occurred. Request ID: {request_id}. Please try again later."


_ABOUT_ERRORS = re.compile(r"error|exception|traceback|crash|bug|fail", re.IGNORECASE)


def error_reply(rng: random.Random, earlier: list[str]) -> tuple[str, str]:
    record = build_chat(rng, tool_use=False)
    msgs = record["messages"]
    # not after a user turn about an error, where an error message could pass for an answer
    plain = [i for i in _answers(record) if not _ABOUT_ERRORS.search(msgs[i - 1]["content"])]
    i = rng.choice(plain or _answers(record))
    text = _error_text(rng)
    record["messages"][i]["content"] = text
    first = text.splitlines()[0]
    return dump(record), f"messages[{i}] is an error instead of an answer ({first[:40]!r})"


#: words a token limit often stops after: the reply visibly breaks off mid-sentence
_CUT_AFTER = frozenset(
    ("the", "a", "an", "and", "or", "to", "of", "for", "with", "your", "our", "in", "on", "at",
     "by", "from", "that", "if", "is", "are", "be")
)  # fmt: skip


def _prose_cut(rng: random.Random, text: str) -> str | None:
    """``text`` cut after a word in the middle of a sentence that follows a full stop (so the
    reply has ended sentences before the cut one), if it has such a sentence."""
    cuts = []
    for stop in re.finditer(r"[.!?]\s+", text):
        line_end = text.find("\n", stop.end())
        sentence = text[stop.end() : len(text) if line_end < 0 else line_end]
        if end := re.search(r"[.!?](?:\s|$)", sentence):
            sentence = sentence[: end.start()]
        words = list(re.finditer(r"\S+", sentence))
        for w in words[3:-2]:  # 4+ words kept, 2+ cut off
            word = w.group(0)
            if word.endswith(",") or word.lower() in _CUT_AFTER:
                cuts.append(stop.end() + w.end())
    return text[: rng.choice(cuts)] if cuts else None


def _code_cut(rng: random.Random, text: str) -> str | None:
    """``text`` cut inside its first code block (the fence left open), if it has one."""
    fence = text.find("```")
    body = text.find("\n", fence) + 1
    close = text.find("```", body)
    if fence < 0 or body <= 0 or close < 0:
        return None
    lines = [m.end() for m in re.finditer(r"[^\n]*\n", text[body:close])][:-1]
    return text[: body + rng.choice(lines) - 1] if lines else None


def truncated_reply(rng: random.Random, earlier: list[str]) -> tuple[str, str]:
    code = rng.random() < 0.3
    while True:
        if code:
            record = build_chat(rng, category="coding_help", user_turns=1)
        else:
            record = build_chat(rng, user_turns=rng.randint(1, 3), tool_use=False)
        i = _answers(record)[-1]
        text = record["messages"][i]["content"]
        cut = _code_cut(rng, text) if code else _prose_cut(rng, text)
        if cut is not None and len(text) > 120:
            break
    record["messages"][i]["content"] = cut
    where = "inside an unclosed code block" if code else f"mid-sentence after {cut.split()[-1]!r}"
    return dump(record), f"messages[{i}] (the last reply) is cut off {where}"


_IMGUR = "https://i.imgur.com/{img}"
#: what a customer of each support category says about a picture or file the model never got
_UNSEEN: dict[str, tuple[str, ...]] = {
    "billing": (
        "See the attached screenshot of my account page.",
        "I've attached a screenshot of the order page.",
        "As you can see in the screenshot above, that's all the app shows.",
        f"Here's a screenshot: {_IMGUR}.png",
    ),
    "tech_support": (
        "See the attached screenshot, what's wrong?",
        "I've attached a screenshot of the error.",
        "As you can see in the photo above, the light keeps blinking.",
        f"Here is the photo: {_IMGUR}.png can you tell me which model it is?",
    ),
    "shipping": (
        "See the attached screenshot of the tracking page.",
        "As you can see in the screenshot above, that's all the tracking page says.",
        f"Here's a screenshot of my order: {_IMGUR}.jpg",
    ),
    "account": (
        "See the attached screenshot, what's wrong?",
        "I've attached a screenshot of the error message.",
        f"This is what I get: {_IMGUR}.png",
    ),
}


def unseen_context(rng: random.Random, earlier: list[str]) -> tuple[str, str]:
    category = rng.choice(pools.SUPPORT_CATEGORIES)
    record = build_chat(rng, category=category, tool_use=False)
    i = _turns(record, "user")[0]
    opener = record["messages"][i]["content"].rstrip()
    reference = rng.choice(_UNSEEN[category]).format(img="".join(rng.choices(_ALNUM, k=7)))
    if rng.random() < 0.3 and reference.startswith("See "):
        text = f"{reference} {opener}"  # pointed at first, then the question
    else:
        text = f"{opener}{'' if opener[-1] in '.?!' else '.'} {reference}"
    record["messages"][i]["content"] = text
    return dump(record), f"messages[{i}] refers to an image or file the model cannot see"


def _invented_turn(rng: random.Random, category: str) -> tuple[str, str]:
    """A question and answer a raw completion model makes up after its own reply."""
    return opening_pair(rng, rng.choice(scenarios_of(category)), draw_slots(rng))


def repeated_reply(rng: random.Random, earlier: list[str]) -> tuple[str, str]:
    record = build_chat(rng, tool_use=False, foreign=False)
    category = record["metadata"]["category"]
    answers = _answers(record)
    long_enough = [i for i in answers if len(record["messages"][i]["content"]) >= 150]
    kind = rng.randrange(4) if long_enough else rng.randrange(1, 4)
    if kind == 0:  # the same paragraph over and over
        i = rng.choice(long_enough)
        paragraph = record["messages"][i]["content"]
        times = rng.randint(2_500, 5_000) // (len(paragraph) + 2) + 3
        record["messages"][i]["content"] = "\n\n".join([paragraph] * times)
        return dump(record), f"messages[{i}] repeats the same paragraph {times} times"
    i = answers[-1]
    text = record["messages"][i]["content"]
    for _ in range(rng.randint(1, 3)):
        question, answer = _invented_turn(rng, category)
        if kind == 1:
            text += f"\n\nUser: {question}\nAssistant: {answer}"
        elif kind == 2:
            text += f"\n\n### Instruction:\n{question}\n\n### Response:\n{answer}"
        else:
            text += f"<|im_end|>\n<|im_start|>user\n{question}<|im_end|>\n<|im_start|>assistant\n"
            text += answer
    record["messages"][i]["content"] = text
    marker = ("User:", "### Instruction:", "<|im_start|>user")[kind - 1]
    return dump(record), f"messages[{i}] runs on into invented turns ({marker!r})"


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
    "error_reply": error_reply,
    "truncated_reply": truncated_reply,
    "unseen_context": unseen_context,
    "repeated_reply": repeated_reply,
}
DEFECT_CODES: tuple[str, ...] = tuple(PLANTERS)
