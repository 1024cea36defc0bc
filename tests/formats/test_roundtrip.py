"""Round trips through every writable format are lossless wherever the format can hold the record."""

from __future__ import annotations

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from ftprep.formats import WRITABLE, Losses, Unconvertible, get_format
from ftprep.record import Message, Record, ToolCall

text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)
arguments = st.dictionaries(
    st.text(min_size=1, max_size=8), st.integers(-(2**53), 2**53) | st.text(max_size=8), max_size=3
)


@st.composite
def conversations(draw: st.DrawFn, *, tools: bool = True, weights: bool = True) -> Record:
    messages: list[Message] = []
    if draw(st.booleans()):
        messages.append(Message(role="system", content=draw(text)))
    n_calls = 0
    for _ in range(draw(st.integers(1, 3))):
        messages.append(Message(role="user", content=draw(text)))
        if tools and draw(st.booleans()):
            call_id = f"call_{n_calls}_0"
            n_calls += 1
            args = orjson.dumps(draw(arguments)).decode()
            messages.append(
                Message(
                    role="assistant",
                    tool_calls=[ToolCall(name="lookup", arguments=args, id=call_id)],
                )
            )
            messages.append(Message(role="tool", content=draw(text), tool_call_id=call_id))
        weight = draw(st.sampled_from([None, 0, 1])) if weights else None
        messages.append(Message(role="assistant", content=draw(text), weight=weight))
    record = Record(messages=messages)
    if n_calls:
        record.tools = [
            {"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}
        ]
    if draw(st.booleans()):
        record.metadata = {"category": draw(text), "rating": draw(st.integers(1, 5))}
    return record


def through(name: str, record: Record) -> tuple[Record, Losses]:
    fmt = get_format(name)
    losses = Losses()
    row = orjson.loads(orjson.dumps(fmt.render(record, losses)))  # as written to and read from disk
    (back,) = fmt.parse(row)
    return back, losses


@settings(max_examples=150, deadline=None)
@given(conversations())
def test_openai_and_completion_are_lossless(record: Record) -> None:
    for name in ("openai", "completion"):
        back, losses = through(name, record)
        assert back == record, name
        assert not losses


@settings(max_examples=150, deadline=None)
@given(conversations(weights=False))
def test_sharegpt_is_lossless_without_weights(record: Record) -> None:
    back, losses = through("sharegpt", record)
    assert back == record
    assert not losses


@settings(max_examples=150, deadline=None)
@given(conversations(tools=False, weights=False))
def test_alpaca_is_lossless_for_plain_dialogues(record: Record) -> None:
    back, losses = through("alpaca", record)
    assert [m.to_dict() for m in back.messages] == [m.to_dict() for m in record.messages]
    assert back.metadata == record.metadata
    assert not losses


@settings(max_examples=100, deadline=None)
@given(conversations())
def test_every_format_is_a_fixpoint_after_one_conversion(record: Record) -> None:
    """What one conversion kept survives any further round trip unchanged, and losses are counted."""
    for name in WRITABLE:
        try:
            once, losses = through(name, record)
        except Unconvertible:
            continue
        twice, _ = through(name, once)
        assert twice == once, name
        lossy = record.tools or any(m.weight is not None or m.tool_calls for m in record.messages)
        if name in ("alpaca", "text") and lossy:
            assert losses, name


def test_text_records_round_trip_and_refuse_chat_targets() -> None:
    record = Record(text="Plain pretraining text.\nSecond line.", metadata={"source": "wiki"})
    back, _ = through("text", record)
    assert back == record
    for name in ("openai", "alpaca", "sharegpt", "completion"):
        try:
            through(name, record)
        except Unconvertible as exc:
            assert "plain-text" in str(exc)
        else:  # pragma: no cover
            raise AssertionError(name)
