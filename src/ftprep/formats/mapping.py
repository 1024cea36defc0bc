"""Column mappings for any custom schema: ``--map`` options and LLaMA-Factory ``dataset_info.json``.

A mapping names, in LLaMA-Factory's vocabulary, which column holds what (``prompt``, ``query``,
``response``, ``history``, ``system``, ``tools``, ``messages``, ``text``, ``id``), which tags name the
roles of ShareGPT-like turns (``role_tag``, ``content_tag``, ``user_tag``, ``assistant_tag``,
``observation_tag``, ``function_tag``, ``system_tag``), and which columns become metadata
(``metadata.category=topic``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import orjson

from ftprep.errors import DetectionError, FormatError
from ftprep.formats.alpaca import AlpacaFormat
from ftprep.formats.base import Format, Losses, require_object
from ftprep.formats.openai import OpenAIChatFormat
from ftprep.formats.sharegpt import ShareGPTFormat, ShareGPTTags
from ftprep.formats.text import TextFormat
from ftprep.record import Provenance, Record

COLUMN_KEYS = (
    "prompt",
    "query",
    "response",
    "history",
    "system",
    "tools",
    "messages",
    "text",
    "id",
)
TAG_KEYS = tuple(f.name for f in fields(ShareGPTTags) if f.name.endswith("_tag"))
_ALPACA_COLUMNS = {"prompt": "instruction", "query": "input", "response": "output"}


@dataclass
class ColumnMapping:
    formatting: str = "alpaca"
    columns: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    metadata: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_options(cls, items: list[str], formatting: str | None = None) -> ColumnMapping:
        """Parse ``--map KEY=COLUMN`` options (each may hold several, comma-separated)."""
        mapping = cls()
        for item in (part for raw in items for part in raw.split(",") if part.strip()):
            key, sep, value = item.partition("=")
            key, value = key.strip(), value.strip()
            if not sep or not value:
                raise FormatError(f"--map expects KEY=COLUMN, got {item!r}")
            if key == "formatting":
                mapping.formatting = value
            elif key in COLUMN_KEYS:
                mapping.columns[key] = value
            elif key in TAG_KEYS:
                mapping.tags[key] = value
            elif key.startswith("metadata."):
                mapping.metadata[key.removeprefix("metadata.")] = value
            else:
                known = ", ".join((*COLUMN_KEYS, *TAG_KEYS, "metadata.NAME", "formatting"))
                raise FormatError(f"--map: unknown key {key!r} (known: {known})")
        if formatting:
            mapping.formatting = formatting
        elif "messages" in mapping.columns or mapping.tags:
            mapping.formatting = "sharegpt"
        return mapping

    @classmethod
    def from_dataset_info(cls, entry: dict[str, Any]) -> ColumnMapping:
        columns = dict(entry.get("columns") or {})
        meta = {k: columns.pop(k) for k in list(columns) if k not in COLUMN_KEYS}
        return cls(
            formatting=str(entry.get("formatting", "alpaca")),
            columns=columns,
            tags=dict(entry.get("tags") or {}),
            metadata=meta,
        )

    def build(self) -> Format:
        return MappedFormat(self)


class MappedFormat(Format):
    """Renames the columns of a row to a known format's names, then reads it as that format."""

    name = "mapped"
    description = "any schema, through a column mapping"
    writable = False

    def __init__(self, mapping: ColumnMapping) -> None:
        self.mapping = mapping
        columns = mapping.columns
        if mapping.formatting == "sharegpt":
            tags = ShareGPTTags(
                messages=columns.get("messages", "conversations"),
                system=columns.get("system", "system"),
                tools=columns.get("tools", "tools"),
                **mapping.tags,
            )
            self.inner: Format = ShareGPTFormat(tags)
            self.renames: dict[str, str] = {}
        elif mapping.formatting == "openai":
            self.inner = OpenAIChatFormat()
            self.renames = {columns[k]: k for k in ("messages", "tools", "id") if k in columns}
        elif mapping.formatting == "alpaca" and "response" not in columns and "prompt" in columns:
            self.inner = TextFormat()  # LLaMA-Factory's pre-training data: only a prompt column
            self.renames = {columns["prompt"]: "text"}
        elif mapping.formatting == "alpaca":
            self.inner = AlpacaFormat()
            self.renames = {
                src: _ALPACA_COLUMNS.get(key, key)
                for key, src in columns.items()
                if key != "messages"
            }
        else:
            raise FormatError(
                f"unknown formatting {mapping.formatting!r} (expected alpaca, sharegpt or openai)"
            )

    def detect(self, row: dict[str, Any]) -> float:
        return 1.0

    def parse(self, row: Any, source: Provenance | None = None) -> list[Record]:
        row = require_object(row, source)
        meta = {name: row[col] for name, col in self.mapping.metadata.items() if col in row}
        taken = set(self.mapping.metadata.values())
        renamed = {self.renames.get(k, k): v for k, v in row.items() if k not in taken}
        records = self.inner.parse(renamed, source)
        for record in records:
            record.metadata.update(meta)
        return records

    def render(self, record: Record, losses: Losses) -> dict[str, Any]:
        return self.inner.render(record, losses)


def load_dataset_info(
    path: str | os.PathLike[str], dataset: str | None, data_file: str | os.PathLike[str] | None
) -> tuple[Path, ColumnMapping]:
    """The data file and mapping of one ``dataset_info.json`` entry.

    The entry is named by ``dataset``, or found by the data file's name among the entries'
    ``file_name``. Returns the data file (resolved beside the registry) and its mapping.
    """
    path = Path(path)
    try:
        registry = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise FormatError(f"cannot read dataset_info registry: {exc}", file=str(path)) from None
    if not isinstance(registry, dict):
        raise FormatError("a dataset_info registry must be a JSON object", file=str(path))
    if dataset is None and data_file is not None:
        name = Path(data_file).name
        dataset = next(
            (k for k, v in registry.items() if isinstance(v, dict) and v.get("file_name") == name),
            None,
        )
    if dataset is None or dataset not in registry:
        local = sorted(k for k, v in registry.items() if isinstance(v, dict) and "file_name" in v)
        raise DetectionError(
            f"{path}: name the entry with --dataset (entries with a local file: {', '.join(local)})"
        )
    entry = registry[dataset]
    if "file_name" not in entry:
        raise DetectionError(
            f"{path}: entry {dataset!r} has no local file_name (hub datasets are not fetched)"
        )
    file = Path(data_file) if data_file is not None else path.parent / entry["file_name"]
    return file, ColumnMapping.from_dataset_info(entry)
