"""The persistent response cache: a SQLite file of answers keyed by provider, model, messages and
sampling parameters (see :meth:`ChatRequest.key`).

Every answer is committed as soon as it arrives, so a run killed at any moment (``kill -9``) and
run again sends none of the requests that were answered before it died. Several worker processes
share one file (see :class:`~ftprep.io.shareddb.SharedDatabase`).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import orjson

from ftprep.io.shareddb import SharedDatabase
from ftprep.llm.types import Completion

#: where the cache lives unless a recipe or flag names a file
CACHE_ENV = "FTPREP_CACHE_DIR"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    model TEXT NOT NULL,
    request BLOB NOT NULL,
    response BLOB NOT NULL,
    created REAL NOT NULL
)
"""


def default_cache_path() -> Path:
    """``$FTPREP_CACHE_DIR/llm.sqlite``, else ``~/.cache/ftprep/llm.sqlite``."""
    base = os.environ.get(CACHE_ENV)
    root = Path(base) if base else Path.home() / ".cache" / "ftprep"
    return root / "llm.sqlite"


class ResponseCache:
    """Answers by request key. ``get`` and ``put`` are quick local calls (no thread hop)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._file = SharedDatabase(path, _SCHEMA)

    @property
    def path(self) -> Path:
        return self._file.path

    def get(self, key: str) -> Completion | None:
        db = self._file.connection()
        row = db.execute("SELECT response FROM responses WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        return Completion.from_dict(orjson.loads(row[0]), cached=True)

    def put(self, key: str, provider: str, model: str, request: Any, answer: Completion) -> None:
        self._file.connection().execute(
            "INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?, ?, ?)",
            (
                key,
                provider,
                model,
                orjson.dumps(request, option=orjson.OPT_SORT_KEYS),
                orjson.dumps(answer.to_dict()),
                time.time(),
            ),
        )

    def __len__(self) -> int:
        return int(self._file.connection().execute("SELECT COUNT(*) FROM responses").fetchone()[0])

    def close(self) -> None:
        self._file.close()

    def __repr__(self) -> str:
        return f"ResponseCache({str(self.path)!r})"
