"""normalize.quotes: typographic punctuation to ASCII in prose, never in code."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from ftprep.record import Message, Record
from ftprep.steps.clean.quotes import QuoteNormalizer, parses_as_code


def chat(*texts: str) -> Record:
    roles = ["user", "assistant"]
    return Record(messages=[Message(roles[i % 2], text) for i, text in enumerate(texts)])


def run(record: Record, **params: object) -> list[object]:
    QuoteNormalizer(**params).apply(record)
    return [m.content for m in record.messages]


def test_curly_quotes_and_primes() -> None:
    record = chat("It’s “broken” again, isn’t it?", "„Gut“, he said: ‚ok‘ — 5′10″ tall…")
    assert run(record) == [
        "It's \"broken\" again, isn't it?",
        "\"Gut\", he said: 'ok' — 5'10\" tall…",
    ]


def test_options_are_conservative_by_default() -> None:
    text = "« Bonjour » ‹ ok › — wait… 1–2"
    assert run(chat("x", text)) == ["x", text]
    converted = run(chat("x", text), guillemets=True, ellipsis=True, dashes=True)
    assert converted == ["x", "\" Bonjour \" ' ok ' -- wait... 1-2"]
    assert run(chat("x", "“q”"), quotes=False) == ["x", "“q”"]


def test_code_is_left_alone() -> None:
    answer = (
        "Don’t use the “curly” ones in code:\n"
        "```python\nprint(“hi”)  # don’t\n```\n"
        "Inline `s = ‘x’` stays too, but this ‘prose’ changes. "
        + "It’s a long enough explanation to be mostly prose. "
        * 4
    )
    [_, fixed] = run(chat("Why?", answer))
    assert isinstance(fixed, str)
    assert fixed.startswith('Don\'t use the "curly" ones in code:\n```python\nprint(“hi”)  # don’t')
    assert "Inline `s = ‘x’` stays too, but this 'prose' changes." in fixed
    assert "’" not in fixed.split("```")[-1].replace("‘x’", "")


def test_code_records_are_skipped() -> None:
    fenced = chat("Can you fix “this”?", "Sure:\n```js\nconst s = “x”;\nconsole.log(s);\n```")
    assert run(fenced) == [
        "Can you fix “this”?",
        "Sure:\n```js\nconst s = “x”;\nconsole.log(s);\n```",
    ]
    as_json = chat("Give me JSON about “Paris”", '{"city": "Paris", "note": "It’s “nice”"}')
    assert run(as_json)[1] == '{"city": "Paris", "note": "It’s “nice”"}'
    # curly quotes as string delimiters do not parse: that is prose to repair, not code data
    broken = chat("Code?", "def greet(name):\n    return f“Hello {name}”\n")
    assert run(broken)[1] == 'def greet(name):\n    return f"Hello {name}"\n'
    python = chat("Code?", "import os\nprint(os.sep, 'It’s')\n")
    assert run(python)[1] == "import os\nprint(os.sep, 'It’s')\n"
    step = QuoteNormalizer()
    step.apply(chat("“q”", "```\n“code”\n```"))
    assert step.take_stats().counts == {"code_records_skipped": 1}
    # the user's text is prose, but the record is data about code: left whole, or not at all
    assert run(chat("“q”", "```\n“code”\n```"), skip_code_records=False)[0] == '"q"'


def test_prose_with_a_little_code_is_not_a_code_record() -> None:
    answer = "You’re right. " * 10 + "Run `ls`.\n```\nls -la\n```"
    [_, fixed] = run(chat("Hm", answer))
    assert isinstance(fixed, str) and fixed.startswith("You're right.")


def test_parses_as_code() -> None:
    assert parses_as_code('{"a": [1, 2]}')
    assert parses_as_code("[1, 2, 3]")
    assert parses_as_code("for i in range(3):\n    print(i)\n")
    assert parses_as_code("x = 1\ny = 2")
    assert not parses_as_code("Hello\nWorld")  # bare names parse, but are not code
    assert not parses_as_code("Thanks")
    assert not parses_as_code("print(x)")  # one line: too little to tell
    assert not parses_as_code("It’s fine.\nReally, it is.")
    assert not parses_as_code("{not json}")
    assert not parses_as_code("Use `x = 1`\nthen `y`")
    assert not parses_as_code('x = "\\d"\ny = 1 +')  # warnings stay quiet, errors are False


def test_ascii_and_other_texts() -> None:
    record = Record.from_dict(
        {
            "messages": [
                {"role": "user", "content": [{"type": "text", "text": "It’s me"}]},
                {"role": "assistant", "content": "Hello, “you”."},
            ]
        }
    )
    step = QuoteNormalizer()
    step.apply(record)
    assert record.messages[0].content == [{"type": "text", "text": "It's me"}]
    assert record.messages[1].content == 'Hello, "you".'
    assert step.take_stats().counts == {"texts_changed": 2}
    plain = Record(text="A “quoted” word")
    QuoteNormalizer().apply(plain)
    assert plain.text == 'A "quoted" word'
    ascii_only = chat("plain 'ascii' text", 'nothing "to" do')
    assert run(ascii_only) == ["plain 'ascii' text", 'nothing "to" do']


def test_rejects_bad_parameters() -> None:
    with pytest.raises(ValidationError, match="Extra inputs"):
        QuoteNormalizer(guillemet=True)
    with pytest.raises(ValidationError):
        QuoteNormalizer(code_share=0)
