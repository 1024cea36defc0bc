"""filter.placeholder: whole-text placeholders and template residue in prose, not in code."""

from __future__ import annotations

from pathlib import Path

import pytest

from ftprep.reading import iter_records, open_source
from ftprep.record import Message, Record
from ftprep.steps.filter.placeholder import PlaceholderFilter

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data"


def chat(reply: str, user: str = "Write a short note.", system: str | None = None) -> Record:
    messages = [Message("system", system)] if system else []
    return Record(messages=[*messages, Message("user", user), Message("assistant", reply)])


def code_of(record: Record, step: PlaceholderFilter | None = None) -> str | None:
    reject = (step or PlaceholderFilter()).check(record)
    return None if reject is None else reject.code


@pytest.mark.parametrize(
    "user",
    [
        "N/A",
        "<noinput>",
        "noinput",
        "No input.",
        "None",
        "null",
        "-",
        "TODO",
        "Lorem ipsum",
        "Describe a use case for machine learning in healthcare.\nNo input.",
        "Rewrite this sentence.\n< noinput >",
        "Summarize the text.\n`<noinput>`",
        "Classify the sentiment.\nN/A",
        "Describe how technology has changed the way we work.Noinput",
    ],
)
def test_placeholder_inputs(user: str) -> None:
    reject = PlaceholderFilter().check(chat("Sure.", user=user))
    assert reject is not None and reject.code == "placeholder_text"
    assert reject.detail == "user turn" and reject.value in user


@pytest.mark.parametrize("reply", ["<noinput>", "No output.", "TODO", "Lorem ipsum."])
def test_placeholder_replies(reply: str) -> None:
    assert code_of(chat(reply)) == "placeholder_text"


@pytest.mark.parametrize("reply", ["None", "null", "N/A", "-", "7", "Empty", "true"])
def test_short_answers_are_kept(reply: str) -> None:
    """'None' answers 'Which words are misspelled?'; only inputs treat it as a placeholder."""
    assert code_of(chat(reply, user="Which words are misspelled? 'The cat sat.'")) is None


def test_a_tool_result_of_null_is_data() -> None:
    record = chat("There is no order with that number.")
    record.messages.insert(1, Message("tool", "null", tool_call_id="call_1"))
    assert code_of(record) is None
    assert code_of(record, PlaceholderFilter(roles=None)) is None  # null is a fine tool result


@pytest.mark.parametrize(
    ("reply", "value"),
    [
        ("Hello! I am {{name}}, an AI assistant developed by {{author}}.", "{{name}}"),
        ("Hi {{ customer.first_name }}, thanks for reaching out!", "{{ customer.first_name }}"),
        ("Dear {name}, your order {order_id} has shipped.", "{name}"),
        ("Thanks for contacting {company}! We'll reply soon.", "{company}"),
        ("Sincerely,\n[Your Name]", "[Your Name]"),
        ("The meeting is on [insert date] at the main office.", "[insert date]"),
        ("Dear [Customer’s Name],\nThank you for your order.", "[Customer’s Name]"),
        ("Contact us at <PLACEHOLDER> for details.", "<PLACEHOLDER>"),
        (
            "Our story: Lorem ipsum dolor sit amet, consectetur adipiscing elit.",
            "Lorem ipsum dolor",
        ),
        ("Here is the plan.\nTODO: write the budget section", "TODO: write the budget section"),
    ],
)
def test_template_residue(reply: str, value: str) -> None:
    reject = PlaceholderFilter().check(chat(reply))
    assert reject is not None and reject.code == "template_residue" and reject.value == value


@pytest.mark.parametrize(
    "reply",
    [
        'print(f"Hello {name}, you are {age}")',
        "```python\ngreeting = 'Hi {name}'.format(name=user)\n```",
        "Use `{name}` as the field, e.g. `'{name}'.format(name='Ann')`.",
        "const el = <h1>Counter: {count}</h1>;\n<button onClick={increment}>+</button>",
        "/**\n * @param {string} word - the word\n * @returns {boolean} true if it is\n */",
        'url = f"https://api.example.com/weather?q={city}&appid=<YOUR_APP_ID>"',
        "By Bolzano-Weierstrass, the sequence {x_n} has a convergent subsequence {x_nk}.",
        "The set {a, b, c} has 8 subsets, and $x^{2}$ is its square, \\frac{a}{b} a fraction.",
        'The JSON looks like {"name": "Ann"}.',
        'Set `HOME=${HOME}` and run it; Ruby writes "#{name}" for interpolation.',
        "on:\n push:\n  branches: [main]\n # url: https://ghcr.io/${{ github.repository }}",
        'Use the format "Dear {name}," for the greeting in your mail merge.',
        "Python lists: items[0] is the first, matrix[i][j] an element, and [Chorus] a song part.",
        "See the [docs](https://example.com) and [Your account](https://example.com/me).",
        "import React from 'react';\nconst List = ({ items }) => (\n  <ul>\n"
        "    {items.map(i => <li>{i}</li>)}\n  </ul>\n);",
        'Angular templates:\n<li *ngFor="let b of books">\n  {{b.title}}\n</li>\nend',
        "",
    ],
)
def test_code_math_and_links_are_kept(reply: str) -> None:
    assert code_of(chat(reply)) is None


def test_asked_for_filler_text() -> None:
    filler = "Lorem ipsum dolor sit amet, consectetur adipiscing elit."
    assert code_of(chat(filler, user="Give me some lorem ipsum text")) is None
    assert code_of(chat("Sure.", user="What does lorem ipsum mean?")) is None
    assert code_of(chat(filler, user="Write an About Us paragraph")) == "template_residue"


def test_switches() -> None:
    letter = "Dear Hiring Manager,\nI am applying for the role.\nSincerely,\n[Your Name]"
    assert code_of(chat(letter)) == "template_residue"
    assert code_of(chat(letter), PlaceholderFilter(brackets=False)) is None
    assert code_of(chat(letter), PlaceholderFilter(residue=False)) is None
    assert code_of(chat("ok", user="N/A"), PlaceholderFilter(whole_text=False)) is None
    assert code_of(chat("Hi {{name}}!"), PlaceholderFilter(roles=["user"])) is None


def test_system_prompts_and_typed_parts() -> None:
    assert code_of(chat("Hello!", system="You are {assistant_name}, a helper.")) is not None
    record = Record(
        messages=[
            Message("user", [{"type": "text", "value": "hi"}]),
            Message("assistant", [{"type": "text", "value": "Hello! I am {{name}}."}]),
        ]
    )
    assert code_of(record) == "template_residue"


def test_plain_text_records() -> None:
    assert code_of(Record(text="N/A")) == "placeholder_text"
    assert code_of(Record(text="A long document about {topic} and more.")) == "template_residue"
    assert code_of(Record(text="你好，请问你是谁")) is None


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data is not here")
def test_real_data() -> None:
    def drops(name: str) -> dict[int, tuple[str, str]]:
        step = PlaceholderFilter()
        found = {}
        for record in iter_records(open_source(SHARED / name)):
            if isinstance(record, Record) and (reject := step.check(record)) is not None:
                assert record.source is not None
                found[record.source.line] = (reject.code, reject.value)
        return found

    identity = drops("llama-factory/identity.json")
    assert len(identity) == 85  # every output with {{name}} or {{author}}
    assert {value for _, value in identity.values()} == {"{{name}}", "{{author}}"}
    alpaca = drops("llama-factory/alpaca_en_demo.json")
    inputs = sorted(value for code, value in alpaca.values() if code == "placeholder_text")
    variants = ["No input.", "No input", "No Input", "noinput", "Noinput", "NoInput"]
    assert inputs == sorted([*variants, "< noinput >", "`<noinput>`"])
    v1 = drops("llama-factory/v1_sft_demo.jsonl")  # Alpaca rows joined without a line break
    assert sum(code == "placeholder_text" for code, _ in v1.values()) == 3
    code = drops("codealpaca/code_alpaca_2k.json")
    assert sorted(v for _, v in code.values()) == ["<noinput>", "No input"]
    for clean in ("openai-cookbook/drone_training.jsonl", "fastchat/dummy_conversation.json"):
        assert drops(clean) == {}
