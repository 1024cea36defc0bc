"""The metadata expression language: safe parsing, null and date semantics, errors with columns."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from ftprep.record import Record
from ftprep.steps.filter.expr import ExprError, compile_expr

META: dict[str, Any] = {
    "rating": 4,
    "score": 0.75,
    "status": "Resolved",
    "created_at": "2024-01-05T10:00:00Z",
    "day": "2024-03-01",
    "naive": "2024-01-05T10:00:00",
    "user": {"tier": "gold", "plan": None, "seats": "12"},
    "tags": ["billing", "refund"],
    "verified": True,
    "csv_rating": "5",
    "source": "email",
}
RECORD = Record(id="conv-42", metadata=META)


def ev(expr: str, record: Record = RECORD) -> Any:
    return compile_expr(expr).evaluate(record)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ('rating >= 4 and status == "Resolved" and created_at >= "2024-01-01"', True),
        ("rating > 4 or score < 0.8", True),
        ("not rating > 4", True),
        ("3 < rating <= 5", True),
        ("3 < rating < 4", False),
        ("rating != 5", True),
        ("-1 < score", True),
        ("verified == true and verified", True),
        ("verified == False", False),
        ('source in ["email", "chat"]', True),
        ('source not in ["email", "chat"]', False),
        ('"refund" in tags', True),
        ('"mail" in source', True),  # substring
        ('user.tier == "gold"', True),
        ('user.tier.name == "gold"', False),  # a string has no fields
        ('id == "conv-42"', True),
        ("len(tags) == 2 and len(status) == 8", True),
        ('lower(status) == "resolved"', True),
        ("exists(user.tier) and exists('user.tier')", True),
        ("exists(user.plan) or exists(nope) or exists(user.nope)", False),  # null is absent
    ],
)
def test_evaluates(expr: str, expected: bool) -> None:
    assert ev(expr) is expected


@pytest.mark.parametrize(
    "expr",
    [
        "missing == 1",
        "missing != 1",  # null compares false, whatever the operator
        "missing < 1",
        'missing in ["a"]',
        'missing not in ["a"]',
        "source in missing",
        "user.plan == 0",
        "len(rating) > 0",  # len of a number is null
        'lower(rating) == "4"',
    ],
)
def test_null_compares_false(expr: str) -> None:
    assert ev(expr) is False


def test_not_of_a_null_comparison_is_true() -> None:
    assert ev("not missing == 1") is True
    assert ev("not exists(missing)") is True


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ('created_at >= "2024-01-05"', True),  # datetime vs date
        ('created_at < "2024-01-05T11:00:00+01:00"', False),  # the same instant
        ('created_at == "2024-01-05T10:00:00+00:00"', True),
        ('naive == "2024-01-05T10:00:00Z"', True),  # naive taken as UTC
        ('day > "2024-02-29T23:59:59Z"', True),
        ('day in ["2024-03-01T00:00:00Z", "2024-03-02"]', True),
        ('created_at > "later"', False),  # not a date: compared as strings ('2' < 'l')
    ],
)
def test_dates(expr: str, expected: bool) -> None:
    assert ev(expr) is expected


def test_date_objects_from_parquet() -> None:
    record = Record(metadata={"d": date(2024, 1, 5), "t": datetime(2024, 1, 5, 10, tzinfo=UTC)})
    assert ev('d >= "2024-01-05" and d < "2024-01-05T00:00:01Z"', record) is True
    assert ev('t == "2024-01-05T10:00:00Z"', record) is True


def test_numbers_from_csv_strings() -> None:
    assert ev("csv_rating >= 4 and csv_rating == 5 and csv_rating in [4, 5]") is True
    assert ev("user.seats > 10") is True
    assert ev('rating == "4.0" and rating in ["4"]') is True
    assert ev('rating < "many"') is False  # no number: mismatched types compare false
    assert ev("status > 3") is False


def test_id_prefers_the_metadata() -> None:
    assert ev('id == "m-1"', Record(id="r-1", metadata={"id": "m-1"})) is True
    assert ev("exists(id)", Record(id="r-1")) is True
    assert ev("exists(id)", Record()) is False


@pytest.mark.parametrize(
    ("expr", "column", "message"),
    [
        ('rating >= 4 an status == "x"', 13, "invalid syntax"),
        ("rating => 4", 8, "invalid syntax"),
        ("(rating > 4", 1, "never closed"),
        ("rating + 1 > 2", 1, "arithmetic is not allowed"),
        ("tags[0] == 'a'", 1, "indexing is not allowed"),
        ("status.lower() == 'x'", 1, "only functions are len"),
        ("__import__('os').system('ls')", 1, "only functions are len"),
        ("rating > 1 and (lambda: 1)", 17, "lambda is not allowed"),
        ("[x for x in tags]", 1, "comprehension is not allowed"),
        ("f'{rating}' == '4'", 1, "f-string is not allowed"),
        ("(x := 1)", 2, "assignment is not allowed"),
        ("rating == None", 11, "use exists"),
        ("null != status", 1, "use exists"),
        ("len(a, b) > 1", 1, "exactly one argument"),
        ("exists(1)", 8, "takes a field name"),
        ("rating == b'4'", 11, "bytes literals"),
        ("", 1, "empty"),
    ],
)
def test_errors_name_the_column(expr: str, column: int, message: str) -> None:
    with pytest.raises(ExprError, match=message) as caught:
        compile_expr(expr)
    assert caught.value.column == column
    assert repr(expr) in str(caught.value) and f"column {column}" in str(caught.value)
    assert isinstance(caught.value, ValueError)  # pydantic validators turn it into a field error


def test_column_counts_leading_whitespace_and_lines() -> None:
    with pytest.raises(ExprError) as caught:
        compile_expr("  rating >= 4 an x")
    assert caught.value.column == 15
    multi = "rating >= 4\nand status == 'Resolved'\n"  # a YAML block scalar
    assert compile_expr(multi).evaluate(RECORD) is True


def test_no_attribute_access_on_python_objects() -> None:
    # dotted names only walk the metadata: nothing reaches Python attributes
    assert ev("rating.__class__ == 'int'") is False
    assert ev("status.__len__ == 8") is False
    with pytest.raises(ExprError):
        compile_expr("().__class__.__bases__[0].__subclasses__()")


def test_fields_and_cache() -> None:
    expr = compile_expr('rating > 3 and user.tier == "gold" or exists(tags) and rating < 9')
    assert expr.fields == ("rating", "user.tier", "tags")
    assert compile_expr('rating > 3 and user.tier == "gold" or exists(tags) and rating < 9') is expr
    assert expr.values(Record(metadata={"rating": 2})) == {
        "rating": 2,
        "user.tier": None,
        "tags": None,
    }


VALUES: list[Any] = [None, True, False, -3, 0, 2, 0.5, 2.0, "2", "2.5", "abc", ""]
VALUES += ["2024-01-01", "2024-01-01T05:00:00Z", "2024-01-01T03:00:00Z", [1, "a"], {"k": 1}]
LITERALS = ["2", "2.5", "-1", '"2"', '"abc"', '"2024-01-01"', '"2024-01-01T05:00:00+02:00"', "true"]
OPERATORS = ["==", "!=", "<", "<=", ">", ">="]


@pytest.mark.parametrize("literal", LITERALS)
@pytest.mark.parametrize("op", [*OPERATORS, "in", "not in"])
def test_literal_shortcuts_agree_with_the_general_rules(literal: str, op: str) -> None:
    """``x OP literal`` is compiled with shortcuts; ``x OP y`` with y = literal takes none."""
    if op in ("in", "not in"):
        literal = f"[{literal}, 7]"
    other = compile_expr(literal).evaluate(Record())
    for value in VALUES:
        record = Record(metadata={"x": value, "y": other})
        assert ev(f"x {op} {literal}", record) is ev(f"x {op} y", record), value
        if op in OPERATORS:
            assert ev(f"{literal} {op} x", record) is ev(f"y {op} x", record), value
