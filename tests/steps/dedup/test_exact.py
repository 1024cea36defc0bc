"""dedup.exact: signatures ignore what they should and keep what they should; first one wins."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ftprep.record import Record
from ftprep.steps import get_step
from ftprep.steps.dedup.exact import ExactDeduplicator


def chat(user: str, reply: str, system: str | None = None, **meta: object) -> Record:
    messages = [{"role": "system", "content": system}] if system else []
    messages += [{"role": "user", "content": user}, {"role": "assistant", "content": reply}]
    return Record.from_dict({"messages": messages, "metadata": meta})


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


def test_decide_keeps_the_first_and_names_it() -> None:
    step = ExactDeduplicator()
    sigs = [
        (("0", 0), b"x"),
        (("0", 1), b"y"),
        (("1", 0), b"x"),
        (("1", 1), None),
        (("1", 2), b"x"),
    ]
    drops = list(step.decide(sigs))
    assert [p for p, _ in drops] == [("1", 0), ("1", 2)]
    assert {r.code for _, r in drops} == {"duplicate"}
    assert drops[0][1].value == ("0", 0)


def _turns_key(step: ExactDeduplicator, record: Record) -> tuple[tuple[str, str], ...]:
    """What the signature must stand for: each turn's role and normalized text."""
    return tuple((m.role, step._norm(m.text)) for m in record.messages)


_TRICKY = "aAß ẞ\u00a0\u00a8\u0301e\u3000\x00\t\n.Ｏ"


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
)
@settings(max_examples=400, deadline=None)
def test_the_fast_signature_of_plain_turns_is_exactly_per_turn_equality(
    a: list[tuple[str, str]], b: list[tuple[str, str]]
) -> None:
    """Whole-conversation normalization in one pass must agree with turn-by-turn normalization
    on boundary spaces, NFKC that makes spaces (U+00A8), case folding that grows (ß) and NULs."""
    step = ExactDeduplicator()
    ra, rb = (
        Record.from_dict({"messages": [{"role": r, "content": t} for r, t in turns]})
        for turns in (a, b)
    )
    same = _turns_key(step, ra) == _turns_key(step, rb)
    assert (step.signature(ra) == step.signature(rb)) is same
