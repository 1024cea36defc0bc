"""normalize.whitespace: line endings, trailing spaces, blank lines, odd spaces; code kept."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from ftprep.record import Message, Record
from ftprep.steps.clean.whitespace import WhitespaceNormalizer, split_code


def clean(text: str, **params: object) -> str:
    record = Record(messages=[Message("assistant", text)])
    WhitespaceNormalizer(**params).apply(record)
    assert isinstance(record.messages[0].content, str)
    return record.messages[0].content


ANSWER = (
    "  Sure! Here is the fix:   \r\n"
    "\r\n\r\n\r\n"
    "```python\r\n"
    "def total(items):  \r\n"
    "    s  =  0\r\n"
    "\r\n\r\n\r\n"
    "    return s\u00a0\r\n"
    "```\r\n"
    "Call `total( [1,  2] )`\u00a0with your list.  \r\n\r\n"
)


def test_prose_is_normalised_and_code_kept() -> None:
    assert clean(ANSWER) == (
        "Sure! Here is the fix:\n"
        "\n"
        "```python\n"
        "def total(items):  \n"
        "    s  =  0\n"
        "\n\n\n"
        "    return s\u00a0\n"
        "```\n"
        "Call `total( [1,  2] )` with your list."
    )


def test_line_endings() -> None:
    assert clean("a\r\nb\rc\u2028d\u2029e") == "a\nb\nc\nd\ne"
    assert clean("```\r\ncode\r\n```") == "```\ncode\n```"  # inside code too


def test_blank_lines() -> None:
    text = "one\n\n\n\n\ntwo\n \n\t\nthree"
    assert clean(text) == "one\n\ntwo\n\nthree"
    assert clean(text, max_blank_lines=0) == "one\ntwo\nthree"
    assert clean(text, max_blank_lines=2) == "one\n\n\ntwo\n\n\nthree"
    assert clean(text, max_blank_lines=None) == "one\n\n\n\n\ntwo\n\n\nthree"
    assert clean("a\n \n \n \nb", strip_trailing=False) == "a\n\nb"


def test_unicode_spaces() -> None:
    text = "Prix\u00a0: 10\u202f€\u2003total\u2009ok\u3000日本"
    assert clean(text) == "Prix : 10 € total ok\u3000日本"  # the ideographic space stays
    assert clean(text, unicode_spaces=False) == text
    assert clean("use `a\u00a0b` here\u00a0now") == "use `a\u00a0b` here now"


def test_collapse_spaces_is_opt_in_and_spares_indentation_and_code() -> None:
    text = "Hello   there,  friend.\n    indented   line\n```\nx  =  1\n```\nand `a  b`  ok"
    assert clean(text) == text
    assert clean(text, collapse_spaces=True) == (
        "Hello there, friend.\n    indented line\n```\nx  =  1\n```\nand `a  b` ok"
    )


def test_trim() -> None:
    assert clean("\n\n   Hello there.  \n\n") == "Hello there."
    assert clean("  one line\nsecond") == "one line\nsecond"
    code = "\n    x = 1\n    y = 2\n\n"  # an indented first line among indented lines: code
    assert clean(code) == "    x = 1\n    y = 2"
    assert clean("  padded  ", trim=False) == "  padded"  # trailing spaces still go


def test_fences() -> None:
    listed = "1. Run:\n   ```bash\n   ls   \n\n\n\n   ```\n2. Done   "
    assert clean(listed) == "1. Run:\n   ```bash\n   ls   \n\n\n\n   ```\n2. Done"
    tilde = "~~~~\nkeep   \n~~~\nstill code   \n~~~~\nprose   "
    assert clean(tilde) == "~~~~\nkeep   \n~~~\nstill code   \n~~~~\nprose"
    unclosed = "See:\n```\nx = 1   \n\n\n\ny = 2   "
    assert clean(unclosed) == "See:\n```\nx = 1   \n\n\n\ny = 2"  # code runs to the end
    inline = "a ```not a fence``` b   \n\n\n\nc"
    assert clean(inline) == "a ```not a fence``` b\n\nc"


def test_split_code() -> None:
    text = "Intro\n```js\nlet a = `x`;\n```\nUse `npm i` or ``a ` b``.\n~~~\nraw\n"
    assert split_code(text) == [
        ("Intro\n", False),
        ("```js\nlet a = `x`;\n```", True),
        ("\nUse ", False),
        ("`npm i`", True),
        (" or ", False),
        ("``a ` b``", True),
        (".\n", False),
        ("~~~\nraw\n", True),
    ]
    assert split_code("plain") == [("plain", False)]
    assert split_code("a `b` c", inline=False) == [("a `b` c", False)]


@given(st.text(alphabet="ab `~\n\r\t\u00a0 ", max_size=80))
def test_split_code_loses_nothing(text: str) -> None:
    assert "".join(piece for piece, _ in split_code(text)) == text


@given(st.text(alphabet="ab `~\n\r\t\u00a0\u2003 ", max_size=80))
def test_idempotent(text: str) -> None:
    once = clean(text, collapse_spaces=True)
    assert clean(once, collapse_spaces=True) == once


def test_counts_and_reaches_every_text() -> None:
    record = Record.from_dict(
        {
            "messages": [
                {"role": "system", "content": "Be brief.  "},
                {"role": "user", "content": [{"type": "text", "text": "hi\r\nthere"}]},
                {"role": "assistant", "content": "Fine."},
            ]
        }
    )
    step = WhitespaceNormalizer()
    step.apply(record)
    assert [m.content for m in record.messages] == [
        "Be brief.",
        [{"type": "text", "text": "hi\nthere"}],
        "Fine.",
    ]
    assert step.take_stats().counts == {"trailing_spaces": 1, "line_endings": 1}
    text_record = Record(text="\n  body  \n")
    WhitespaceNormalizer().apply(text_record)
    assert text_record.text == "body"


def test_clean_records_are_untouched() -> None:
    from ftprep.demo import iter_clean_chats

    step = WhitespaceNormalizer()
    for row in iter_clean_chats(300, seed=5):
        record = Record.from_dict(row)
        step.apply(record)
        assert record == Record.from_dict(row)
    assert not step.take_stats().counts


def test_rejects_bad_parameters() -> None:
    with pytest.raises(ValidationError, match="Extra inputs"):
        WhitespaceNormalizer(max_blank_line=1)
    with pytest.raises(ValidationError):
        WhitespaceNormalizer(max_blank_lines=-1)
