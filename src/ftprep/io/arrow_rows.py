"""Python rows to and from Arrow, shared by the Parquet and Hugging Face datasets containers.

Writing: rows are spilled to a temporary JSON Lines file as they come (memory stays flat), then
one schema is learnt over *all* of them: each top-level column's type is inferred per batch of
:data:`BATCH_ROWS` rows and the batches' types are unified with Arrow's permissive promotion
(a message struct with ``tool_calls`` in one batch and not in another becomes one struct with
every field; ``int`` and ``float`` become ``double``). Nested data keeps native Arrow nested
types (``list<struct<...>>``). A column whose types cannot be unified (``content`` a string in
some rows and a list of parts in others) or that Parquet cannot hold (an always-empty object) is
stored as JSON text instead, and its name is recorded under :data:`JSON_COLUMNS_KEY`, so readers
decode it back to the original values.

Reading: Arrow cannot tell an absent key from a null one, so :func:`rows_from_batch` drops dict
keys whose value is ``None``, at the top level and in nested structs (in dicts inside lists too).
Nulls inside lists are kept.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson

from ftprep.errors import FormatError, MissingExtraError
from ftprep.io.jsonencode import dumps_bytes, dumps_text
from ftprep.io.jsonl import iter_jsonl_values

#: Parquet key-value metadata key listing (as a JSON array) the columns stored as JSON text.
JSON_COLUMNS_KEY = b"ftprep.json_columns"

#: Rows per inferred batch when writing, and per record batch when reading.
BATCH_ROWS = 10_000


def require_pyarrow(feature: str, extra: str) -> Any:
    """The ``pyarrow`` module, or :class:`MissingExtraError` naming ``feature`` and ``extra``."""
    try:
        import pyarrow
    except ImportError as exc:
        raise MissingExtraError(feature, extra, "pyarrow") from exc
    return pyarrow


def prune_nulls(value: Any) -> Any:
    """``value`` with every dict key whose value is ``None`` dropped, recursively."""
    if isinstance(value, dict):
        return {key: prune_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [prune_nulls(item) for item in value]
    return value


def json_columns_of(metadata: dict[bytes, bytes] | None) -> frozenset[str]:
    """The JSON-text column names recorded in Arrow/Parquet key-value ``metadata``."""
    if not metadata or JSON_COLUMNS_KEY not in metadata:
        return frozenset()
    try:
        names = orjson.loads(metadata[JSON_COLUMNS_KEY])
    except orjson.JSONDecodeError:
        return frozenset()
    return frozenset(name for name in names if isinstance(name, str))


def rows_from_batch(batch: Any, json_columns: frozenset[str]) -> list[dict[str, Any]]:
    """The rows of an Arrow record batch, nulls pruned and JSON-text columns decoded."""
    rows: list[dict[str, Any]] = prune_nulls(batch.to_pylist())
    if json_columns:
        for row in rows:
            for name in json_columns.intersection(row):
                row[name] = _decode(row[name])
    return rows


def _decode(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return text


class ArrowSpool:
    """Collects rows in a spill file, then yields them as Arrow tables under one unified schema."""

    def __init__(self, pa: Any, spill: Path, target: str) -> None:
        self._pa = pa
        self._path = spill
        self._target = target
        self._file = open(spill, "xb", buffering=1 << 20)  # noqa: SIM115 - closed by discard
        self.json_columns: list[str] = []

    def add(self, row: dict[str, Any]) -> None:
        """Spill one row; raises :class:`ValueError` when it cannot be encoded as JSON."""
        self._file.write(dumps_bytes(row, newline=True))

    def discard(self) -> None:
        """Close and delete the spill file."""
        self._file.close()
        self._path.unlink(missing_ok=True)

    def _batches(self) -> Iterator[list[dict[str, Any]]]:
        self._file.close()
        batch: list[dict[str, Any]] = []
        for _, value, _, _ in iter_jsonl_values(self._path):
            batch.append(value if isinstance(value, dict) else {})
            if len(batch) >= BATCH_ROWS:
                yield batch
                batch = []
        if batch:
            yield batch

    def schema(self) -> Any:
        """Pass one: the unified schema of every spilled row (sets :attr:`json_columns`)."""
        types: dict[str, Any] = {}
        as_json: set[str] = set()
        for batch in self._batches():
            for name in _ordered_keys(batch):
                if name in as_json:
                    continue
                inferred = self._infer([row.get(name) for row in batch])
                merged = None if inferred is None else self._unify(types.get(name), inferred)
                if merged is None or _has_empty_struct(self._pa, merged):
                    as_json.add(name)
                    types[name] = self._pa.string()
                else:
                    types[name] = merged
        self.json_columns = [name for name in types if name in as_json]
        schema = self._pa.schema([self._pa.field(name, kind) for name, kind in types.items()])
        if self.json_columns:
            schema = schema.with_metadata({JSON_COLUMNS_KEY: orjson.dumps(self.json_columns)})
        return schema

    def tables(self, schema: Any) -> Iterator[Any]:
        """Pass two: the spilled rows as Arrow tables of at most :data:`BATCH_ROWS` rows."""
        as_json = set(self.json_columns)
        for batch in self._batches():
            arrays = []
            for field in schema:
                values = [row.get(field.name) for row in batch]
                if field.name in as_json:
                    values = [None if v is None else dumps_text(v) for v in values]
                try:
                    arrays.append(self._pa.array(values, type=field.type))
                except (self._pa.ArrowException, OverflowError, TypeError, ValueError) as exc:
                    raise FormatError(
                        f"cannot convert to {field.type}: {exc}",
                        file=self._target,
                        field=field.name,
                    ) from exc
            yield self._pa.Table.from_arrays(arrays, schema=schema)

    def _infer(self, values: list[Any]) -> Any:
        try:
            return self._pa.array(values).type
        except (self._pa.ArrowException, OverflowError, TypeError, ValueError):
            return None

    def _unify(self, old: Any, new: Any) -> Any:
        if old is None or old == new:
            return new
        pa = self._pa
        try:
            merged = pa.unify_schemas(
                [pa.schema([pa.field("c", old)]), pa.schema([pa.field("c", new)])],
                promote_options="permissive",
            )
        except (pa.ArrowException, TypeError, ValueError):
            return None
        return merged.field("c").type


def _ordered_keys(rows: Iterable[dict[str, Any]]) -> list[str]:
    return list(dict.fromkeys(key for row in rows for key in row))


def _has_empty_struct(pa: Any, kind: Any) -> bool:
    if pa.types.is_struct(kind):
        fields = [kind.field(i) for i in range(kind.num_fields)]
        return not fields or any(_has_empty_struct(pa, f.type) for f in fields)
    if pa.types.is_list(kind) or pa.types.is_large_list(kind) or pa.types.is_fixed_size_list(kind):
        return bool(_has_empty_struct(pa, kind.value_type))
    return False
