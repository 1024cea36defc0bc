"""A quick yes for the simple JSON Schemas of function parameters, before jsonschema's full check.

Most tools declare an object of a few typed properties, some required, often with
``additionalProperties: false``. :func:`quick_validator` turns such a schema into a plain Python
check that says True only when the instance certainly fits (by the Draft 2020-12 rules); False
means "not sure", and the caller asks jsonschema, which also writes the message. A schema with
any keyword beyond that subset gets no quick check at all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

QuickCheck = Callable[[Any], bool]

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),  # a float such as 1.0 is an integer too: not sure, so jsonschema decides
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
    "object": (dict,),
    "array": (list,),
}
#: keywords that constrain nothing
_ANNOTATIONS = frozenset(
    {
        "title",
        "description",
        "default",
        "examples",
        "$comment",
        "deprecated",
        "readOnly",
        "writeOnly",
    }
)
_HANDLED = frozenset({"type", "properties", "required", "additionalProperties", "items", "enum"})


def quick_validator(schema: Any) -> QuickCheck | None:
    """A check that is True only for instances ``schema`` accepts, or None for other schemas."""
    if not isinstance(schema, dict) or not schema.keys() - _ANNOTATIONS <= _HANDLED:
        return None
    types = _types(schema)
    properties: dict[str, QuickCheck] = {}
    for key, sub in schema.get("properties", {}).items():
        sub_check = quick_validator(sub)
        if sub_check is None:
            return None
        properties[key] = sub_check
    items = quick_validator(schema["items"]) if "items" in schema else None
    required = schema.get("required", [])
    additional = schema.get("additionalProperties", True)
    enum = schema.get("enum")
    if (
        types == ()
        or ("items" in schema and items is None)
        or not isinstance(required, list)
        or not all(isinstance(key, str) for key in required)
        or not isinstance(additional, bool)
        or (enum is not None and not (isinstance(enum, list) and _all_strings(enum)))
    ):
        return None
    strings = None if enum is None else frozenset(enum)

    def check(value: Any) -> bool:
        if types is not None and not _is_one_of(value, types):
            return False
        if strings is not None and not (type(value) is str and value in strings):
            return False
        if type(value) is dict:
            return _object_fits(value, properties, required, additional)
        return items is None or type(value) is not list or all(map(items, value))

    return check


def _types(schema: dict[str, Any]) -> tuple[type, ...] | None:
    """The Python types ``type`` allows; None without ``type``, () when it is not understood."""
    if "type" not in schema:
        return None
    names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    if not all(isinstance(name, str) and name in _TYPES for name in names):
        return ()
    return tuple(kind for name in names for kind in _TYPES[name])


def _is_one_of(value: Any, types: tuple[type, ...]) -> bool:
    if type(value) is bool:  # a bool is an int to Python, but only a boolean to JSON Schema
        return bool in types
    return isinstance(value, types)


def _object_fits(
    value: dict[str, Any], properties: dict[str, QuickCheck], required: list[str], additional: bool
) -> bool:
    for key in required:
        if key not in value:
            return False
    for key, item in value.items():
        check = properties.get(key)
        if check is None:
            if not additional:
                return False
        elif not check(item):
            return False
    return True


def _all_strings(values: list[Any]) -> bool:
    return all(type(v) is str for v in values)
