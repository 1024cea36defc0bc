"""dedup.exact: signatures ignore what they should and keep what they should; first one wins."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from ftprep.record import Record
from ftprep.steps import get_step
from ftprep.steps.base import Position
from ftprep.steps.dedup.common import Normalizer
from ftprep.steps.dedup.exact import ExactDeduplicator


def chat(
    user: str, reply: str, system: str | None = None, id: str | None = None, **meta: object
) -> Record:
    messages = [{"role": "system", "content": system}] if system else []
    messages += [{"role": "user", "content": user}, {"role": "assistant", "content": reply}]
    record = Record.from_dict({"messages": messages, "metadata": meta})
    record.id = id
    return record


def test_normalized_comparison_ignores_case_space_and_width() -> None:
    step = ExactDeduplicator()
    a = step.signature(chat("Where is my order?", "It ships today."))
    b = step.signature(chat("  where is  my ORDER?", "It ships\ntoday."))
    c = step.signature(chat("Where is my ｏｒｄｅｒ?", "It ships today."))  # full-width letters
    assert a == b == c
    assert a != step.signature(chat("Where is my order?", "It ships tomorrow."))
    strict = ExactDeduplicator(normalize=False)
    assert strict.signature(chat("Where is my order?", "x")) != strict.signature(
        chat("where is my order?", "x")
    )


def test_roles_order_tools_system_and_metadata() -> None:
    step = ExactDeduplicator()
    # the same texts under other roles are different conversations
    swapped = Record.from_dict(
        {"messages": [{"role": "assistant", "content": "a"}, {"role": "user", "content": "b"}]}
    )
    assert step.signature(swapped) != step.signature(chat("a", "b"))
    assert step.signature(chat("q", "a", system="S1")) != step.signature(
        chat("q", "a", system="S2")
    )
    no_system = ExactDeduplicator(include_system=False)
    assert no_system.signature(chat("q", "a", system="S1")) == no_system.signature(chat("q", "a"))
    assert step.signature(chat("q", "a", rating=1)) == step.signature(chat("q", "a", rating=5))
    with_meta = get_step("dedup.exact")(include_metadata=True)
    assert with_meta.signature(chat("q", "a", rating=1)) != with_meta.signature(
        chat("q", "a", rating=5)
    )
    text = Record(text="Hello world")
    assert step.signature(text) == step.signature(Record(text="hello   WORLD"))


def _positions(n: int, ids: list[str | None] | None = None) -> list[Position]:
    ids = ids or [None] * n
    return [Position(0, i, f"in.jsonl:{i + 1}", ids[i]) for i in range(n)]


def test_decide_keeps_the_first_and_names_it_by_id() -> None:
    step = ExactDeduplicator()
    pos = _positions(5, ["a", None, "c", "d", "e"])
    drops = list(step.decide(zip(pos, [b"x", b"y", b"x", None, b"y"], strict=True)))
    assert [(p.item, r.value, r.detail) for p, r in drops] == [
        (2, "a", "kept in.jsonl:1"),  # the id of the record kept
        (4, "in.jsonl:2", "kept in.jsonl:2"),  # no id: where it was read
    ]


def _dedup(step: ExactDeduplicator, records: list[Record]) -> list[tuple[int, str]]:
    """(dropped index, value) for each record the step drops."""
    ids = [r.id for r in records]
    sigs = [step.signature(r) for r in records]
    return [
        (p.item, r.value) for p, r in step.decide(zip(_positions(len(ids), ids), sigs, strict=True))
    ]


def test_scopes_compare_the_right_turns() -> None:
    a = chat("Where is my order?", "It ships today.", id="a")
    b = chat("where is my order?", "It shipped yesterday.", id="b")
    c = chat("Can I return it?", "It ships today.", id="c")
    assert _dedup(ExactDeduplicator(), [a, b, c]) == []
    assert _dedup(ExactDeduplicator(scope="user"), [a, b, c]) == [(1, "a")]
    assert _dedup(ExactDeduplicator(scope="assistant"), [a, b, c]) == [(2, "a")]
    by_field = ExactDeduplicator(scope="field", field="metadata.topic")
    a.metadata["topic"], b.metadata["topic"] = "Shipping", "shipping "  # normalized too
    assert _dedup(by_field, [a, b, c]) == [(1, "a")]  # c has no topic: never a duplicate
    with pytest.raises(ValidationError, match="needs a field"):
        ExactDeduplicator(scope="field")
    with pytest.raises(ValidationError, match="only read with scope: field"):
        ExactDeduplicator(field="metadata.topic")


def test_normalizations_are_chosen() -> None:
    a = chat("Where is my order?", "It ships today!")
    b = chat("Where is my order", "It ships today")
    assert _dedup(ExactDeduplicator(), [a, b]) == []
    assert _dedup(ExactDeduplicator(normalize=["case", "whitespace", "punctuation"]), [a, b]) == [
        (1, "in.jsonl:1")
    ]
    assert ExactDeduplicator(normalize=True).params.normalize == ["unicode", "case", "whitespace"]
    assert ExactDeduplicator(normalize=False).params.normalize == []


@pytest.mark.parametrize(
    ("keep", "kept"),
    [("first", "a"), ("rating", "c"), ("longest", "b"), ("newest", "d")],
)
def test_keep_policies(keep: str, kept: str) -> None:
    records = [
        chat("Where is my order?", "It ships today.", rating=3, created_at="2024-01-02"),
        chat("Where is my order? ", "It  ships today.", rating="4", created_at=1704240000),
        chat("where is my order?", "It ships today.", rating=5, created_at="2023-12-31T23:00Z"),
        chat("Where is my ORDER?", "It ships today.", created_at="2024-03-01"),
        chat("WHERE is my order?", "It ships today.", rating=5),
    ]
    # b is the longest in characters, the same as the others once normalized
    for r, rid in zip(records, "abcde", strict=True):
        r.id = rid
    records[1].messages[1].content = "It  ships today.   "
    dropped = _dedup(ExactDeduplicator(keep=keep, normalize=["case", "whitespace"]), records)
    assert {value for _, value in dropped} == {kept}
    assert sorted(i for i, _ in dropped) == [i for i, r in enumerate(records) if r.id != kept]


def _turns_key(step: ExactDeduplicator, record: Record) -> tuple[tuple[str, str], ...]:
    """What the signature must stand for: each turn's role and normalized text."""
    return tuple((m.role, step._norm(m.text)) for m in record.messages)


_TRICKY = "aAß ẞ\u00a0\u00a8\u0301e\u3000\x00\t\n.!Ｏ"


@given(
    st.lists(
        st.tuples(st.sampled_from(["user", "assistant"]), st.text(alphabet=_TRICKY, max_size=6)),
        min_size=1,
        max_size=3,
    ),
    st.lists(
        st.tuples(st.sampled_from(["user", "assistant"]), st.text(alphabet=_TRICKY, max_size=6)),
        min_size=1,
        max_size=3,
    ),
    st.sets(st.sampled_from(["unicode", "case", "whitespace", "punctuation"])),
    st.sampled_from([None, "a", "b"]),
    st.sampled_from([None, "a", "b"]),
)
@settings(max_examples=600, deadline=None)
def test_the_fast_signature_of_plain_turns_is_exactly_per_turn_equality(
    a: list[tuple[str, str]],
    b: list[tuple[str, str]],
    kinds: set[str],
    tools_a: str | None,
    tools_b: str | None,
) -> None:
    """Whole-conversation normalization in one pass must agree with turn-by-turn normalization
    on boundary spaces, NFKC that makes spaces (U+00A8), case folding that grows (ß), removed
    punctuation and NULs, whatever normalizations are chosen; and tools, when there are some,
    must be equal too."""
    step = ExactDeduplicator(normalize=sorted(kinds))
    step.ensure_setup()
    ra, rb = (
        Record.from_dict(
            {
                "messages": [{"role": r, "content": t} for r, t in turns],
                **({"tools": [_tool(tools)]} if tools else {}),
            }
        )
        for turns, tools in ((a, tools_a), (b, tools_b))
    )
    same = _turns_key(step, ra) == _turns_key(step, rb) and tools_a == tools_b
    assert (step.signature(ra) == step.signature(rb)) is same


def _tool(name: str, **properties: object) -> dict[str, object]:
    parameters = {"type": "object", "properties": properties}
    return {"type": "function", "function": {"name": name, "parameters": parameters}}


def test_tools_take_part_in_a_conversation_signature() -> None:
    step = ExactDeduplicator()
    base = {"messages": [{"role": "user", "content": "Track A1"}]}

    def signed(**row: object) -> object:
        return step.signature(Record.from_dict({**base, **row}))

    order = _tool("lookup_order", order_id={"type": "string"}, lang={"type": "string"})
    reordered = _tool("lookup_order", lang={"type": "string"}, order_id={"type": "string"})
    assert signed(tools=[order]) == signed(tools=[reordered])  # key order does not matter
    assert signed(tools=[order]) != signed(tools=[_tool("lookup_order")])
    assert signed(tools=[order]) != signed()
    # a tool call in a turn takes the general form, which compares the tools as well
    call = {"role": "assistant", "tool_calls": [{"function": {"name": "lookup_order"}}]}
    with_call = {"messages": [*base["messages"], call]}
    a = step.signature(Record.from_dict({**with_call, "tools": [order]}))
    b = step.signature(Record.from_dict({**with_call, "tools": [reordered]}))
    assert a == b != step.signature(Record.from_dict(with_call))
    assert step.key(Record.from_dict({**base, "tools": [order]})) != step.key(
        Record.from_dict(base)
    )
    turns_only = ExactDeduplicator(scope="user")
    assert turns_only.signature(Record.from_dict({**base, "tools": [order]})) == (
        turns_only.signature(Record.from_dict(base))
    )


@given(
    st.text(alphabet=st.characters(max_codepoint=127), max_size=60)
    | st.text(alphabet=" \t\n\r\x0b\x0c\x1c\x1f\x00aA.,-_ßİ\u00a0\u2003", max_size=40),
    st.sets(st.sampled_from(["unicode", "case", "whitespace", "punctuation"])),
)
@settings(max_examples=1500, deadline=None)
def test_normalizer_bytes_are_its_text_encoded(text: str, kinds: set[str]) -> None:
    """The byte fast path for ASCII gives exactly the text path's result, control characters,
    every ASCII space and punctuation included; other text takes the text path."""
    norm = Normalizer(kinds)  # type: ignore[arg-type]
    assert norm.encode(text) == norm(text).encode("utf-8", "surrogatepass")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.one_of(st.none(), st.sampled_from([b"a", b"b", b"c", b"d"])), max_size=6),
        max_size=5,
    )
)
def test_keep_first_over_shards_is_decide_over_positions(shards: list[list[bytes | None]]) -> None:
    from ftprep.steps.base import Signed

    step = ExactDeduplicator()
    signed = [
        Signed(
            s,
            [f"in.jsonl:{10 * s + i}" for i in range(len(sigs))],
            [f"id{s}-{i}" if i % 2 else None for i in range(len(sigs))],
            sigs,
        )
        for s, sigs in enumerate(shards)
    ]
    pairs = [(sh.position(i), sig) for sh in signed for i, sig in enumerate(sh.signatures)]
    assert list(step.decide_shards(signed)) == list(step.decide(pairs))


def test_wheres_label_records_by_file_and_line_and_pickle_small() -> None:
    import pickle

    from ftprep.record import Provenance
    from ftprep.steps.base import Wheres

    name = "data/in.jsonl"
    records = [Record.from_dict({"text": f"t{i}"}, Provenance(name, 3 * i + 1)) for i in range(500)]
    records[7].source = None  # made by a step, read from nowhere
    wheres = Wheres.of(records)
    labels = [str(r.source) if r.source else f"#{i}" for i, r in enumerate(records)]
    assert len(wheres) == 500 and list(wheres) == labels
    assert wheres[7] == "#7" and wheres[2] == "data/in.jsonl:7" and wheres[1:3] == labels[1:3]
    data = pickle.dumps(wheres, protocol=pickle.HIGHEST_PROTOCOL)
    assert list(pickle.loads(data)) == labels
    assert len(data) * 3 < len(pickle.dumps(labels, protocol=pickle.HIGHEST_PROTOCOL))
