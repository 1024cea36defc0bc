"""Checks of function calling: the tools list, each call, and the call/answer pairing.

Schemas are compiled once per distinct tools list (datasets repeat the same list in every row),
and the cache is bounded.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import orjson

from ftprep.validate.findings import Collector
from ftprep.validate.quickschema import QuickCheck, quick_validator

if TYPE_CHECKING:  # imported when a first tools list is compiled: most files have none
    from jsonschema import Draft202012Validator


@dataclass(frozen=True, slots=True)
class _Function:
    """A function's parameters schema: the full validator, and a quick check when it is simple."""

    validator: Draft202012Validator
    quick: QuickCheck | None


#: (problem with the tools list, name -> _Function or the schema error, the (name, error) pairs)
_Compiled = tuple[str | None, dict[str, Any], tuple[tuple[str, str], ...]]


def check_tools(row: dict[str, Any], messages: list[Any], out: Collector) -> None:
    tools = row.get("tools")
    functions = _functions(tools, out) if tools is not None else None
    pending: dict[str, int] = {}  # call id -> index of the message that made it
    answered: set[str] = set()
    seen_ids: set[str] = set()
    for i, message in enumerate(messages):
        if not isinstance(message, dict):
            continue
        if "tool_calls" in message and message["tool_calls"] is not None:
            _check_calls(message, i, functions, tools is not None, pending, seen_ids, out)
        if message.get("role") == "tool":
            call_id = message.get("tool_call_id")
            if not isinstance(call_id, str) or call_id not in seen_ids:
                out.add(
                    "tool_response_orphan",
                    i,
                    "tool_call_id",
                    f"tool_call_id {call_id!r} matches no earlier call",
                )
            elif call_id in answered:
                out.add(
                    "tool_response_duplicate",
                    i,
                    "tool_call_id",
                    f"call {call_id!r} already answered",
                )
            else:
                answered.add(call_id)
                pending.pop(call_id, None)
    last = len(messages) - 1
    for call_id, index in pending.items():
        if index < last:
            out.add(
                "tool_call_unanswered", index, "tool_calls", f"call {call_id!r} has no tool message"
            )


def _check_calls(
    message: dict[str, Any],
    i: int,
    functions: dict[str, Any] | None,
    has_tools: bool,
    pending: dict[str, int],
    seen_ids: set[str],
    out: Collector,
) -> None:
    calls = message["tool_calls"]
    if not isinstance(calls, list):
        out.add("tool_calls_not_a_list", i, "tool_calls")
        return
    if message.get("role") != "assistant":
        out.add("tool_calls_wrong_role", i, "tool_calls")
    if calls and not has_tools:
        out.add("tool_call_without_tools", i, "tool_calls")
    for k, call in enumerate(calls):
        field = f"tool_calls[{k}]"
        fn = call.get("function") if isinstance(call, dict) else None
        if not isinstance(fn, dict) or not isinstance(fn.get("name"), str):
            out.add("malformed_tool_call", i, field)
            continue
        call_id = call.get("id")
        if call_id is None:
            out.add("tool_call_missing_id", i, f"{field}.id")
        elif call_id in seen_ids:
            out.add("duplicate_tool_call_id", i, f"{field}.id", f"id {call_id!r} used twice")
        else:
            seen_ids.add(call_id)
            pending[call_id] = i
        _check_arguments(fn, i, f"{field}.function", functions, out)


def _check_arguments(
    fn: dict[str, Any], i: int, field: str, functions: dict[str, Any] | None, out: Collector
) -> None:
    name, arguments = fn["name"], fn.get("arguments")
    if not isinstance(arguments, str):
        out.add(
            "tool_arguments_not_string",
            i,
            f"{field}.arguments",
            f"arguments is a {type(arguments).__name__}",
        )
        return
    try:
        parsed = orjson.loads(arguments)
    except orjson.JSONDecodeError as exc:
        out.add(
            "tool_arguments_invalid_json", i, f"{field}.arguments", f"{exc}: {arguments[:60]!r}"
        )
        return
    if functions is None:
        return
    if name not in functions:
        known = ", ".join(sorted(functions)[:8])
        out.add("tool_unknown_function", i, f"{field}.name", f"{name!r} is not in tools ({known})")
        return
    function = functions[name]
    if isinstance(function, _Function):
        if function.quick is not None and function.quick(parsed):
            return  # certainly fits: no need for jsonschema
        error = next(iter(function.validator.iter_errors(parsed)), None)
        if error is not None:
            where = "/".join(str(p) for p in error.absolute_path) or "(root)"
            out.add(
                "tool_arguments_schema_mismatch",
                i,
                f"{field}.arguments",
                f"{name}: {where}: {error.message}",
            )


def _functions(tools: Any, out: Collector) -> dict[str, Any] | None:
    if isinstance(tools, str):  # LLaMA-Factory writes tools as a JSON string
        try:
            tools = orjson.loads(tools)
        except orjson.JSONDecodeError:
            out.add("tools_invalid", field="tools", detail="tools is a string that is not JSON")
            return None
    try:
        key = orjson.dumps(tools, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        out.add("tools_invalid", field="tools")
        return None
    problem, functions, invalid = _compile(key)
    if problem is not None:
        out.add("tools_invalid", field="tools", detail=problem)
        return None
    for name, message in invalid:
        out.add("tools_invalid_schema", field=f"tools[{name}].parameters", detail=message)
    return functions


def clean_functions(tools: bytes) -> dict[str, Any] | None:
    """The functions of a tools list given as JSON (any layout: a decoder's raw bytes) when
    :func:`check_tools` would find nothing wrong with the list itself, else None."""
    if not tools.startswith(b"["):  # null, a JSON string (LLaMA-Factory), anything else
        return None
    problem, functions, invalid = _compile(tools)
    return None if problem is not None or invalid else functions


def fits(functions: dict[str, Any], name: str, arguments: str) -> bool:
    """True when a call of ``name`` with ``arguments`` certainly draws no finding: the function
    is in ``functions`` (see :func:`clean_functions`) and its quick check vouches for the
    parsed arguments; False means "not sure"."""
    function = functions.get(name)
    if not isinstance(function, _Function) or function.quick is None:
        return False
    try:
        return function.quick(orjson.loads(arguments))
    except orjson.JSONDecodeError:
        return False


@lru_cache(maxsize=1024)
def _compile(key: bytes) -> _Compiled:
    """Validators by function name for one tools list; the key is the list's JSON (compact with
    sorted keys from :func:`_functions`, or as written in the line from :func:`clean_functions`:
    the same list may be compiled twice, never wrongly)."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    tools = orjson.loads(key)
    if not isinstance(tools, list):
        return f"tools is a {type(tools).__name__}, not a list", {}, ()
    functions: dict[str, Any] = {}
    for k, tool in enumerate(tools):
        fn = tool.get("function", tool) if isinstance(tool, dict) else None
        if not isinstance(fn, dict) or not isinstance(fn.get("name"), str):
            return f"tools[{k}] has no function name", {}, ()
        params = fn.get("parameters", {"type": "object", "properties": {}})
        try:
            Draft202012Validator.check_schema(params)
        except SchemaError as exc:
            where = "/".join(str(p) for p in exc.absolute_path) or "(root)"
            functions[fn["name"]] = f"{fn['name']}: {where}: {exc.message}"
            continue
        functions[fn["name"]] = _Function(Draft202012Validator(params), quick_validator(params))
    invalid = tuple((name, error) for name, error in functions.items() if isinstance(error, str))
    return None, functions, invalid
