"""Write the small input files the guides run their examples on, to reproduce every output shown.

    python docs/examples/make_examples.py /tmp/ftprep-examples
    cd /tmp/ftprep-examples && ftprep validate train.jsonl

Writes, into the directory given (default: the current one):

- ``train.jsonl``: six chat examples with the usual defects (a missing user turn, a 26,000-character
  repeated reply, a broken tool call, hedging, a placeholder, a ``loss_weight`` key) and a last
  line that is not valid JSON;
- ``tools.jsonl``: function calling gone wrong (arguments off-schema, an unknown function,
  arguments as an object, a call without id);
- ``clean.jsonl``: four clean examples;
- ``alpaca.json``, ``chat.jsonl``, ``qa.csv``, ``support.jsonl`` + ``dataset_info.json``,
  ``oasst.jsonl``, ``bfcl.json``: inputs of the convert guide;
- ``logs.jsonl`` and ``eval.jsonl``: logged support chats with copies, near-duplicates,
  sessions and categories, and an eval set some of them leak into (the dedup guide);
- ``hf-alpaca/``: a Hugging Face ``DatasetDict`` (``train`` and ``test``) of Alpaca rows, when the
  ``datasets`` extra is installed;
- ``my-model/``: a toy model directory (a byte-level BPE trained here on a few hundred sentences,
  and a ChatML chat template), when the ``tokenizers`` extra is installed. Its counts are those of
  a toy vocabulary, higher than a real model's.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

SUPPORT = {"role": "system", "content": "You are Acme's support assistant."}
WEATHER = {"role": "system", "content": "You answer weather questions."}
WEATHER_TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Current weather in a city",
            "parameters": {
                "type": "object",
                "properties": {
                    "city": {"type": "string"},
                    "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                },
                "required": ["city"],
            },
        },
    }
]
CHATML = (
    "{%- for message in messages %}"
    "{%- if message.role == 'assistant' %}{{- '<|im_start|>assistant\\n' }}"
    "{%- generation %}{{- (message.content or '') + '<|im_end|>' }}{%- endgeneration %}"
    "{{- '\\n' }}"
    "{%- else %}{{- '<|im_start|>' + message.role + '\\n' + (message.content or '') "
    "+ '<|im_end|>\\n' }}{%- endif %}"
    "{%- endfor %}"
)


def user(text: str) -> dict[str, Any]:
    return {"role": "user", "content": text}


def assistant(text: str | None, **more: Any) -> dict[str, Any]:
    return {"role": "assistant", "content": text, **more}


def call(call_id: str | None, name: str, arguments: Any, *, raw: bool = False) -> dict[str, Any]:
    """A tool call; ``arguments`` is serialized to a JSON string unless ``raw`` (a defect)."""
    args = arguments if raw or isinstance(arguments, str) else json.dumps(arguments)
    out: dict[str, Any] = {"type": "function", "function": {"name": name, "arguments": args}}
    return out if call_id is None else {"id": call_id, **out}


def write_jsonl(path: Path, rows: list[Any], tail: str = "") -> None:
    lines = [json.dumps(row, ensure_ascii=False) for row in rows]
    path.write_text("\n".join(lines) + "\n" + tail, encoding="utf-8")


def messy_rows() -> list[dict[str, Any]]:
    broken_call = call("call_1", "get_weather", '{"city": "Paris", "unit": "kelvin"')
    return [
        {
            "messages": [
                SUPPORT,
                user("Where is my order #4411?"),
                assistant("It left the warehouse yesterday and should arrive on Friday."),
            ]
        },
        {"messages": [SUPPORT, assistant("Hello! How can I help you today?")]},
        {
            "messages": [
                SUPPORT,
                user("Tell me about the warranty."),
                assistant("The warranty covers parts and labour for two years. " * 500),
            ]
        },
        {
            "messages": [
                SUPPORT,
                user("What's the weather in Paris?"),
                assistant(None, tool_calls=[broken_call]),
                {"role": "tool", "tool_call_id": "call_2", "content": '{"temp": 18}'},
                assistant("It is 18 degrees in Paris."),
            ],
            "tools": WEATHER_TOOLS,
        },
        {
            "messages": [
                SUPPORT,
                user("Can you reset my password?"),
                assistant("As an AI language model, I cannot reset passwords."),
            ]
        },
        {
            "messages": [
                {"role": "system", "content": "You are a helpful assistant."},
                user("Hi {{customer_name}}"),
                assistant("Hello, thanks for reaching out!", loss_weight=1),
            ]
        },
    ]


def tool_rows() -> list[dict[str, Any]]:
    def example(
        question: str, calls: list[dict[str, Any]], result: dict[str, Any], answer: str
    ) -> dict[str, Any]:
        answer_to = calls[0].get("id")
        tool: dict[str, Any] = {"role": "tool", "content": json.dumps(result)}
        if answer_to is not None:
            tool["tool_call_id"] = answer_to
        messages = [WEATHER, user(question), assistant(None, tool_calls=calls), tool]
        return {"messages": [*messages, assistant(answer)], "tools": WEATHER_TOOLS}

    return [
        example(
            "Weather in Paris, in kelvin?",
            [call("call_1", "get_weather", {"city": "Paris", "unit": "kelvin"})],
            {"temp": 291},
            "It is 291 K (18 °C) in Paris.",
        ),
        example(
            "Book me a flight to Rome.",
            [call("call_1", "book_flight", {"to": "Rome"})],
            {"ok": True},
            "Done: you fly to Rome on Monday.",
        ),
        example(
            "And in Oslo?",
            [call(None, "get_weather", {"city": "Oslo"}, raw=True)],
            {"temp": 4},
            "4 °C in Oslo.",
        ),
    ]


def clean_rows() -> list[dict[str, Any]]:
    system = {"role": "system", "content": "You are Acme's support assistant. Answer briefly."}
    pairs = [
        (
            "Where is my order #4411?",
            "It left the warehouse yesterday and should arrive on Friday.",
        ),
        (
            "How do I return a blender?",
            "Print the return label from your account page, pack the blender and drop it at any post office within 30 days.",
        ),
        ("Do you ship to Canada?", "Yes: standard shipping to Canada takes 5 to 8 business days."),
        (
            "Can I change my delivery address?",
            "Yes, until the order ships: open the order, choose 'Change address' and save.",
        ),
    ]
    return [{"messages": [system, user(q), assistant(a)]} for q, a in pairs]


def convert_inputs(out: Path) -> None:
    alpaca = [
        {"instruction": "Translate to French.", "input": "Good morning", "output": "Bonjour"},
        {
            "instruction": "Name a primary colour.",
            "input": "",
            "output": "Red.",
            "system": "Answer in one word.",
            "history": [["Hi", "Hello! Ask me anything."]],
        },
        {
            "instruction": "Summarise the text.",
            "input": "The meeting moved to Tuesday.",
            "output": 42,
        },
    ]
    (out / "alpaca.json").write_text(json.dumps(alpaca, indent=2) + "\n", encoding="utf-8")
    paris = call("call_1", "get_weather", {"city": "Paris"})
    chat = [
        {
            "messages": [
                WEATHER,
                user("Weather in Paris?"),
                assistant(None, tool_calls=[paris]),
                {"role": "tool", "tool_call_id": "call_1", "content": '{"temp": 18}'},
                assistant("18 °C and sunny in Paris."),
            ],
            "tools": WEATHER_TOOLS[:1],
        },
        {
            "messages": [
                user("Hi"),
                assistant("Hello! How can I help?", weight=1),
                user("Thanks, bye."),
                assistant("Bye!", weight=0),
            ]
        },
        {"text": "A plain document with no conversation in it."},
    ]
    write_jsonl(out / "chat.jsonl", chat)
    (out / "qa.csv").write_text(
        'question,answer,topic\nWhat is 2+2?,4,math\n"Capital of France?","Paris",geo\n',
        encoding="utf-8",
    )
    dialog = [
        {"speaker": "customer", "text": "My card was charged twice."},
        {"speaker": "agent", "text": "Sorry about that: I have refunded the second charge."},
    ]
    write_jsonl(out / "support.jsonl", [{"dialog": dialog, "ticket": "T-17"}])
    tags = {"role_tag": "speaker", "content_tag": "text"}
    info = {
        "support_chats": {
            "file_name": "support.jsonl",
            "formatting": "sharegpt",
            "columns": {"messages": "dialog"},
            "tags": {**tags, "user_tag": "customer", "assistant_tag": "agent"},
        },
        "qa_pairs": {
            "file_name": "qa.csv",
            "columns": {"prompt": "question", "response": "answer"},
        },
        "alpaca_en": {"hf_hub_url": "llamafactory/alpaca_en"},
    }
    (out / "dataset_info.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    write_jsonl(out / "oasst.jsonl", [oasst_tree()])
    question = "Find the area of a triangle with base 10 and height 5."
    function = {
        "name": "calculate_triangle_area",
        "description": "Area of a triangle.",
        "parameters": {
            "type": "dict",
            "properties": {"base": {"type": "integer"}, "height": {"type": "integer"}},
            "required": ["base", "height"],
        },
    }
    bfcl = [
        {"id": f"simple_{i}", "question": [[user(question)]], "function": [function]}
        for i in range(2)
    ]
    write_jsonl(out / "bfcl.json", bfcl)  # BFCL ships JSON Lines named .json


def oasst_tree() -> dict[str, Any]:
    rain = "Soft rain on the roof / the gutter hums its one note / tea cools by the glass"
    return {
        "message_tree_id": "t-001",
        "tree_state": "ready_for_export",
        "prompt": {
            "message_id": "m1",
            "role": "prompter",
            "text": "What is a haiku?",
            "lang": "en",
            "replies": [
                {
                    "message_id": "m2",
                    "parent_id": "m1",
                    "role": "assistant",
                    "rank": 0,
                    "text": "A three-line Japanese poem of 5, 7 and 5 syllables.",
                    "replies": [
                        {
                            "message_id": "m4",
                            "parent_id": "m2",
                            "role": "prompter",
                            "text": "Write one about rain.",
                            "replies": [
                                {
                                    "message_id": "m5",
                                    "parent_id": "m4",
                                    "role": "assistant",
                                    "text": rain,
                                    "rank": 0,
                                }
                            ],
                        }
                    ],
                },
                {
                    "message_id": "m3",
                    "parent_id": "m1",
                    "role": "assistant",
                    "text": "A short poem from Japan.",
                    "rank": 1,
                },
            ],
        },
    }


def toy_model(directory: Path) -> bool:
    """A model directory with a freshly trained toy tokenizer; False without ``tokenizers``."""
    try:
        from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    except ImportError:
        return False
    rng = random.Random(0)
    words = [
        "the",
        "order",
        "ships",
        "today",
        "your",
        "return",
        "label",
        "answer",
        "blender",
        "canada",
        "address",
        "a",
        "is",
        "to",
    ]
    sentences = [" ".join(rng.choice(words) for _ in range(8)) for _ in range(400)]
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=600,
        show_progress=False,
        special_tokens=["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tokenizer.train_from_iterator(sentences, trainer=trainer)
    directory.mkdir(parents=True, exist_ok=True)
    tokenizer.save(str(directory / "tokenizer.json"))
    config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "eos_token": "<|im_end|>",
        "pad_token": "<|endoftext|>",
        "chat_template": CHATML,
    }
    (directory / "tokenizer_config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    return True


def hf_dataset(directory: Path) -> bool:
    """A ``DatasetDict`` of Alpaca rows saved with ``save_to_disk``; False without ``datasets``."""
    try:
        import datasets
    except ImportError:
        return False
    getattr(datasets, "disable_progress_bars", lambda: None)()
    splits = {
        "train": [{"instruction": "Say hi", "output": "Hi!"}],
        "test": [{"instruction": "Say bye", "output": "Bye!"}],
    }
    data = datasets.DatasetDict({k: datasets.Dataset.from_list(v) for k, v in splits.items()})
    data.save_to_disk(str(directory))
    return True


TOPICS = {
    "shipping": [
        "Where is my order {n}? It was supposed to arrive on {day}.",
        "My parcel {n} shows delivered but nothing is at my door.",
    ],
    "billing": [
        "I was charged twice for order {n} on {day}, can you refund one?",
        "Can I get a proper invoice for order {n}?",
    ],
    "returns": [
        "How do I return the lamp from order {n}? It arrived broken on {day}.",
    ],
    "account": [
        "I cannot log in since {day}, the reset email never arrives.",
    ],
}
REPLIES = {
    "shipping": "Order {n} left our warehouse on {day} and is with the carrier; the tracking link "
    "in your confirmation email shows each stop. If it has not arrived within three working days, "
    "reply here and we will send a replacement at no cost.",
    "billing": "I checked order {n}: you were charged on {day}. Refunds go back to the card you "
    "paid with within five working days, and the invoice is in your account under Orders.",
    "returns": "Sorry about that. Start the return for order {n} under Orders, Return an item; "
    "print the free label, and we refund you as soon as the parcel is scanned, usually within "
    "two days of {day}.",
    "account": "Reset emails can take ten minutes and sometimes land in spam. Since {day} we also "
    "had a delay on our side, now fixed: request a new link and it should arrive at once.",
}
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def support_logs() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Logged support chats for the dedup guide (exact copies, near-duplicates with a word or
    two changed, sessions, categories, ratings) and an eval set some of them leak into."""
    rng = random.Random(11)
    rows: list[dict[str, Any]] = []
    evals: list[dict[str, Any]] = []
    for i in range(240):
        topic = rng.choice(["shipping"] * 5 + ["billing"] * 3 + ["returns"] * 2 + ["account"])
        n, day = f"A{10000 + i}", rng.choice(DAYS)
        question = rng.choice(TOPICS[topic]).format(n=n, day=day)
        reply = REPLIES[topic].format(n=n, day=day)
        meta = {
            "category": topic,
            "session_id": f"s{i // 3}",
            "rating": rng.randint(2, 5),
            "created_at": f"2024-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
        }
        rows.append({"id": f"log{i:03d}", "messages": [SUPPORT, user(question), assistant(reply)],
                     "metadata": meta})  # fmt: skip
        if i % 8 == 0:  # logged twice
            rows.append({**rows[-1], "id": f"log{i:03d}b"})
        if i % 10 == 1:  # the same answer with a word changed, and another rating
            near = reply.replace("working days", "business days")
            rows.append({"id": f"log{i:03d}n", "messages": [SUPPORT, user(question.lower()),
                         assistant(near)], "metadata": {**meta, "rating": 5}})  # fmt: skip
        if i % 24 == 5:  # a prompt of the eval set
            evals.append(
                {"id": f"eval{len(evals)}", "messages": [user(question), assistant(reply)]}
            )
    rng.shuffle(rows)
    for k in range(10):  # eval prompts the logs never saw
        q = f"What is your policy on gift cards bought on {DAYS[k % 5]} for order A9{k}?"
        evals.append({"id": f"eval{len(evals)}", "messages": [user(q), assistant("...")]})
    return rows, evals


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else Path.cwd()
    out.mkdir(parents=True, exist_ok=True)
    write_jsonl(
        out / "train.jsonl",
        messy_rows(),
        tail='{"messages": [{"role": "user", "content": "unterminated"\n',
    )
    write_jsonl(out / "tools.jsonl", tool_rows())
    write_jsonl(out / "clean.jsonl", clean_rows())
    convert_inputs(out)
    logs, evals = support_logs()
    write_jsonl(out / "logs.jsonl", logs)
    write_jsonl(out / "eval.jsonl", evals)
    missing = []
    if not toy_model(out / "my-model"):
        missing.append("my-model/: pip install 'ftprep[tokenizers]'")
    if not hf_dataset(out / "hf-alpaca"):
        missing.append("hf-alpaca/: pip install 'ftprep[datasets]'")
    print(f"wrote the example inputs to {out}" + "".join(f"; skipped {m}" for m in missing))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
