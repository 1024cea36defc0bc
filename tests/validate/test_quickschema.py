"""The quick schema check never says yes where jsonschema says no."""

from __future__ import annotations

import random
from typing import Any

from jsonschema import Draft202012Validator

from ftprep.validate.quickschema import quick_validator

ORDER = {
    "type": "object",
    "properties": {
        "order_id": {"type": "string", "description": "Order number"},
        "count": {"type": "integer"},
        "price": {"type": ["number", "null"]},
        "unit": {"type": "string", "enum": ["c", "f"]},
        "tags": {"type": "array", "items": {"type": "string"}},
        "flag": {"type": "boolean"},
    },
    "required": ["order_id"],
    "additionalProperties": False,
}
VALUES: list[Any] = [
    "A1", "", 0, 1, -3, 2**70, 1.0, 1.5, True, False, None, [], ["a"], ["a", 1], {}, {"a": 1}, "c", "f",
]  # fmt: skip


def random_schema(rng: random.Random, depth: int = 0) -> dict[str, Any]:
    schema: dict[str, Any] = {}
    if rng.random() < 0.8:
        kinds = ["string", "integer", "number", "boolean", "null", "object", "array"]
        picked = rng.sample(kinds, rng.randint(1, 2))
        schema["type"] = picked[0] if len(picked) == 1 and rng.random() < 0.5 else picked
    if depth < 2 and rng.random() < 0.5:
        names = rng.sample(["a", "b", "c"], rng.randint(0, 3))
        schema["properties"] = {n: random_schema(rng, depth + 1) for n in names}
        schema["required"] = rng.sample(names, rng.randint(0, len(names)))
        schema["additionalProperties"] = rng.random() < 0.5
    if depth < 2 and rng.random() < 0.3:
        schema["items"] = random_schema(rng, depth + 1)
    if rng.random() < 0.2:
        schema["enum"] = ["c", "f"]
    return schema


def random_value(rng: random.Random, depth: int = 0) -> Any:
    if depth < 2 and rng.random() < 0.3:
        return {k: random_value(rng, depth + 1) for k in rng.sample(["a", "b", "c", "d"], 2)}
    if depth < 2 and rng.random() < 0.2:
        return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return rng.choice(VALUES)


def test_quick_yes_is_a_jsonschema_yes() -> None:
    rng = random.Random(11)
    agreed = 0
    for _ in range(400):
        schema = random_schema(rng)
        quick = quick_validator(schema)
        assert quick is not None, schema
        full = Draft202012Validator(schema)
        for _ in range(25):
            value = random_value(rng)
            if quick(value):
                assert full.is_valid(value), (schema, value)
                agreed += 1
    assert agreed > 1000


def test_typical_parameters_are_answered_quickly() -> None:
    quick = quick_validator(ORDER)
    assert quick is not None
    assert quick({"order_id": "A1", "count": 2, "price": None, "unit": "c", "tags": ["x"]})
    for bad in [
        {},
        {"order_id": 5},
        {"order_id": "A1", "count": True},
        {"order_id": "A1", "count": 1.0},  # valid, but left to jsonschema
        {"order_id": "A1", "unit": "k"},
        {"order_id": "A1", "tags": ["x", 2]},
        {"order_id": "A1", "other": 1},
        ["A1"],
    ]:
        assert not quick(bad), bad
    assert Draft202012Validator(ORDER).is_valid({"order_id": "A1", "count": 1.0})


def test_other_schemas_get_no_quick_check() -> None:
    for schema in [
        {"type": "string", "minLength": 2},
        {"type": "object", "properties": {"a": {"type": "integer", "minimum": 0}}},
        {"anyOf": [{"type": "string"}]},
        {"type": "object", "additionalProperties": {"type": "string"}},
        {"enum": [1, 2]},
        {"type": "integer", "format": "int32"},
        {"type": "date"},
        True,
    ]:
        assert quick_validator(schema) is None, schema
    assert quick_validator({"description": "anything"}) is not None
