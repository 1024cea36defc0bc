"""A small, safe expression language over a record's metadata, for any step to reuse.

``rating >= 4 and status == "resolved" and created_at >= "2024-01-01"`` is parsed once with
Python's :mod:`ast` and compiled into plain closures; nothing is ever passed to ``eval``. What is
allowed:

- comparisons ``== != < <= > >= in`` and ``not in`` (chained ones too), ``and``, ``or``, ``not``;
- literals: strings, numbers, ``True``/``true``, ``False``/``false``, ``None``/``null``, lists;
- field names, resolved in ``record.metadata``; dotted paths (``user.tier``) walk nested objects,
  and ``id`` is the record's id unless the metadata has an ``id`` of its own;
- the functions ``len(x)``, ``lower(x)`` and ``exists(field)`` (present and not null).

Comparisons never raise: a missing field reads as null, and any comparison with null is false
(test presence with ``exists``). Two strings that both parse as ISO dates or datetimes compare as
datetimes (naive ones taken as UTC), so ``"2024-01-05T10:00:00Z" >= "2024-01-01"`` holds; a
number compares with a string that parses as a number; other mismatched types compare false.
``x in [a, b]`` uses the same equality, ``x in "text"`` is a substring test.
"""

from __future__ import annotations

import ast
import functools
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from ftprep.errors import FtprepError
from ftprep.record import Record

Evaluator = Callable[[Record], Any]

_MISSING = object()
_MIRROR: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.Gt,
    ast.Gt: ast.Lt,
    ast.LtE: ast.GtE,
    ast.GtE: ast.LtE,
}
_CONSTANT_NAMES = {"true": True, "false": False, "null": None, "none": None}
_DATE_LIKE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NODE_NAMES = {
    "BinOp": "arithmetic",
    "Subscript": "indexing",
    "Slice": "slicing",
    "Lambda": "lambda",
    "IfExp": "if-else",
    "Dict": "a dict literal",
    "Set": "a set literal",
    "ListComp": "a comprehension",
    "SetComp": "a comprehension",
    "DictComp": "a comprehension",
    "GeneratorExp": "a generator",
    "JoinedStr": "an f-string",
    "NamedExpr": "assignment",
    "Starred": "unpacking",
}
_ORDER: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}


class ExprError(FtprepError, ValueError):
    """An expression that cannot be parsed or uses what the language does not allow; names the
    expression and the 1-based column of the problem."""

    def __init__(self, message: str, source: str, column: int) -> None:
        self.source = source
        self.column = column
        near = source[column - 1 : column + 11]
        where = f" near {near!r}" if near.strip() else " at the end"
        super().__init__(f"expression {source!r}, column {column}{where}: {message}")


@dataclass(frozen=True)
class Expression:
    """A compiled expression: call :meth:`evaluate` or :meth:`matches` on records."""

    source: str
    #: the dotted field paths the expression reads, in order of appearance
    fields: tuple[str, ...]
    _run: Evaluator = field(repr=False, compare=False)

    def evaluate(self, record: Record) -> Any:
        return self._run(record)

    def matches(self, record: Record) -> bool:
        return bool(self._run(record))

    def values(self, record: Record) -> dict[str, Any]:
        """The value of each field the expression reads (null when missing)."""
        return {name: _getter(tuple(name.split(".")))(record) for name in self.fields}


@functools.lru_cache(maxsize=256)
def compile_expr(source: str) -> Expression:
    """Parse and compile ``source``; raises :class:`ExprError` naming the column at fault."""
    text = source.strip()
    lead = len(source) - len(source.lstrip())
    flat = text.replace("\r", " ").replace("\n", " ")  # a YAML block may span lines
    if not flat:
        raise ExprError("the expression is empty", source, 1)
    try:
        tree = ast.parse(flat, mode="eval")
    except SyntaxError as exc:
        raise ExprError(exc.msg, source, lead + (exc.offset or 1)) from None
    except (RecursionError, MemoryError):
        raise ExprError("the expression is nested too deeply", source, lead + 1) from None
    compiler = _Compiler(source, lead)
    run = compiler.node(tree.body)
    return Expression(source, tuple(dict.fromkeys(compiler.fields)), run)


class _Compiler:
    """Turns each allowed AST node into a closure over a record; refuses every other node."""

    def __init__(self, source: str, lead: int) -> None:
        self.source = source
        self.lead = lead
        self.fields: list[str] = []

    def fail(self, node: ast.AST, message: str) -> ExprError:
        return ExprError(message, self.source, self.lead + getattr(node, "col_offset", 0) + 1)

    def node(self, node: ast.expr) -> Evaluator:
        if isinstance(node, ast.BoolOp):
            return _bool_op(isinstance(node.op, ast.And), [self.node(v) for v in node.values])
        if isinstance(node, ast.UnaryOp):
            return self.unary(node)
        if isinstance(node, ast.Compare):
            return self.compare(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.List | ast.Tuple):
            items = [self.node(item) for item in node.elts]
            return lambda r: [item(r) for item in items]
        if isinstance(node, ast.Name | ast.Attribute):
            return self.name(node)
        if isinstance(node, ast.Constant):
            value = self.constant(node)
            return lambda r: value
        what = _NODE_NAMES.get(type(node).__name__, type(node).__name__)
        raise self.fail(node, f"{what} is not allowed")

    def constant(self, node: ast.Constant) -> Any:
        if node.value is None or isinstance(node.value, str | int | float | bool):
            return node.value
        raise self.fail(node, f"{type(node.value).__name__} literals are not allowed")

    def unary(self, node: ast.UnaryOp) -> Evaluator:
        if isinstance(node.op, ast.Not):
            inner = self.node(node.operand)
            return lambda r: not inner(r)
        operand = node.operand
        if (
            isinstance(node.op, ast.USub | ast.UAdd)
            and isinstance(operand, ast.Constant)
            and isinstance(operand.value, int | float)
            and not isinstance(operand.value, bool)
        ):
            value = -operand.value if isinstance(node.op, ast.USub) else operand.value
            return lambda r: value
        raise self.fail(node, "arithmetic is not allowed (only a sign before a number)")

    def compare(self, node: ast.Compare) -> Evaluator:
        for side in (node.left, *node.comparators):
            if _is_null(side):
                raise self.fail(side, "a comparison with null is always false; use exists(x)")
        if len(node.ops) == 1:
            fast = self.compare_literal(node.left, node.ops[0], node.comparators[0])
            if fast is not None:
                return fast
        operands = [self.node(node.left), *(self.node(c) for c in node.comparators)]
        checks = [_comparison(op) for op in node.ops]

        def run(record: Record) -> bool:
            left = operands[0](record)
            for check, right_of in zip(checks, operands[1:], strict=True):
                right = right_of(record)
                if not check(left, right):
                    return False
                left = right
            return True

        return run

    def compare_literal(self, left: ast.expr, op: ast.cmpop, right: ast.expr) -> Evaluator | None:
        """``x OP literal`` (or ``literal OP x``) with the literal prepared once."""
        if _literal(right) is _MISSING and not isinstance(op, ast.In | ast.NotIn):
            left, right, op = right, left, _MIRROR.get(type(op), type(op))()
        const = _literal(right)
        if const is _MISSING or _literal(left) is not _MISSING:
            return None
        get, check = self.node(left), _literal_check(op, const)
        return lambda r: check(get(r))

    def call(self, node: ast.Call) -> Evaluator:
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in ("len", "lower", "exists"):
            raise self.fail(node, "the only functions are len(x), lower(x) and exists(field)")
        if node.keywords or len(node.args) != 1:
            raise self.fail(node, f"{name}() takes exactly one argument")
        arg = node.args[0]
        if name == "exists":
            path = self.path(arg)
            if path is None and isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                path = tuple(arg.value.split("."))
                self.fields.append(arg.value)
            if path is None:
                raise self.fail(arg, "exists() takes a field name")
            get = _getter(path)
            return lambda r: get(r) is not None
        inner = self.node(arg)
        return _len_of(inner) if name == "len" else _lower_of(inner)

    def name(self, node: ast.Name | ast.Attribute) -> Evaluator:
        if isinstance(node, ast.Name) and node.id.lower() in _CONSTANT_NAMES:
            value = _CONSTANT_NAMES[node.id.lower()]
            return lambda r: value
        path = self.path(node)
        if path is None:
            raise self.fail(node, "only field names may be dotted (user.tier)")
        return _getter(path)

    def path(self, node: ast.expr) -> tuple[str, ...] | None:
        """The field path of a name or a chain of attributes, recorded in :attr:`fields`."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        parts.append(node.id)
        path = tuple(reversed(parts))
        self.fields.append(".".join(path))
        return path


def _is_null(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return node.value is None
    return isinstance(node, ast.Name) and node.id.lower() in ("null", "none")


def _literal(node: ast.expr) -> Any:
    """The value of a literal (a constant, a signed number, a list of literals), or _MISSING."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str | int | float):
        return node.value
    if isinstance(node, ast.Name) and node.id.lower() in ("true", "false"):
        return node.id.lower() == "true"
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        value = _literal(node.operand)
        return (
            -value if isinstance(value, int | float) and not isinstance(value, bool) else _MISSING
        )
    if isinstance(node, ast.List | ast.Tuple):
        items = [_literal(item) for item in node.elts]
        return _MISSING if any(item is _MISSING for item in items) else items
    return _MISSING


def _literal_check(op: ast.cmpop, const: Any) -> Callable[[Any], bool]:
    """``value OP const`` with the rules of :func:`compare`, shortcuts prepared for ``const``."""
    if isinstance(op, ast.In | ast.NotIn):
        member = _member_check(const) if isinstance(const, list) else lambda a: _contains(a, const)
        if isinstance(op, ast.In):
            return member
        return lambda a: a is not None and not member(a)
    order = _ORDER[type(op)]
    when = _as_datetime(const)
    if when is not None:
        return lambda a: _compare_dated(order, a, const, when)
    kind = type(const)
    if kind is str or kind is int or kind is float:  # same type: nothing to coerce
        return lambda a: order(a, const) if type(a) is kind else compare(order, a, const)
    return lambda a: compare(order, a, const)


def _compare_dated(order: Callable[[Any, Any], bool], a: Any, const: Any, when: datetime) -> bool:
    moment = _as_datetime(a)
    return order(moment, when) if moment is not None else compare(order, a, const)


def _member_check(items: list[Any]) -> Callable[[Any], bool]:
    """``value in items``: a set lookup, then the coercing equality where it could still hold."""
    table = frozenset(item for item in items if not isinstance(item, list))
    coerces_str = any(isinstance(i, int | float) or _as_datetime(i) is not None for i in items)
    coerces_number = any(isinstance(item, str) for item in items)

    def member(a: Any) -> bool:
        if a is None:
            return False
        try:
            if a in table:
                return True
        except TypeError:  # an unhashable value (a list, an object)
            pass
        if isinstance(a, str):
            return coerces_str and _contains(a, items)
        if isinstance(a, int | float):
            return coerces_number and _contains(a, items)
        return _contains(a, items)

    return member


def _bool_op(conjunction: bool, parts: list[Evaluator]) -> Evaluator:
    if conjunction:
        return lambda r: all(part(r) for part in parts)
    return lambda r: any(part(r) for part in parts)


def _len_of(inner: Evaluator) -> Evaluator:
    def run(record: Record) -> int | None:
        value = inner(record)
        return len(value) if isinstance(value, str | list | dict | tuple) else None

    return run


def _lower_of(inner: Evaluator) -> Evaluator:
    def run(record: Record) -> str | None:
        value = inner(record)
        return value.lower() if isinstance(value, str) else None

    return run


def _getter(path: tuple[str, ...]) -> Evaluator:
    head, rest = path[0], path[1:]

    def get(record: Record) -> Any:
        value = record.metadata.get(head, _MISSING)
        if value is _MISSING:
            return record.id if head == "id" and not rest else None
        for key in rest:
            if not isinstance(value, dict):
                return None
            value = value.get(key)
        return value

    return get


def _comparison(op: ast.cmpop) -> Callable[[Any, Any], bool]:
    if isinstance(op, ast.In):
        return _contains
    if isinstance(op, ast.NotIn):
        return lambda a, b: a is not None and b is not None and not _contains(a, b)
    order = _ORDER[type(op)]
    return lambda a, b: compare(order, a, b)


def compare(order: Callable[[Any, Any], bool], a: Any, b: Any) -> bool:
    """``order(a, b)`` with the language's rules: null is false, dates and numbers coerced,
    mismatched types false."""
    if a is None or b is None:
        return False
    if type(a) is not type(b) or isinstance(a, str):
        a, b = _coerce(a, b)
    try:
        return bool(order(a, b))
    except TypeError:
        return False


def _contains(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return False
    if isinstance(b, list | tuple | set | frozenset):
        return any(compare(operator.eq, a, item) for item in b)
    try:
        return a in b
    except TypeError:
        return False


def _coerce(a: Any, b: Any) -> tuple[Any, Any]:
    if isinstance(a, bool) or isinstance(b, bool):
        return a, b
    if isinstance(a, int | float) and isinstance(b, str):
        return a, _number(b, b)
    if isinstance(b, int | float) and isinstance(a, str):
        return _number(a, a), b
    da, db = _as_datetime(a), _as_datetime(b)
    if da is not None and db is not None:
        return da, db
    return a, b


def _number(text: str, default: Any) -> Any:
    try:
        return float(text)
    except ValueError:
        return default


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, str):
        if not _DATE_LIKE.match(value):
            return None
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    elif isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
