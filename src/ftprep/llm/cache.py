"""The persistent response cache: a SQLite file of answers keyed by provider, model, messages and
sampling parameters (see :meth:`ChatRequest.key`).

Every answer is committed as soon as it arrives, so a run killed at any moment (``kill -9``) and
run again sends none of the requests that were answered before it died. Several worker processes
share one file: WAL journaling lets them read while one writes, and a writer waits for the lock
instead of failing. A connection is never used across a fork.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from typing import Any

import orjson

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
        self.path = Path(path)
        self._conn: sqlite3.Connection | None = None
        self._pid = 0

    def _db(self) -> sqlite3.Connection:
        if self._conn is None or self._pid != os.getpid():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=60.0, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(_SCHEMA)
            self._conn, self._pid = conn, os.getpid()
        return self._conn

    def get(self, key: str) -> Completion | None:
        row = self._db().execute("SELECT response FROM responses WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        return Completion.from_dict(orjson.loads(row[0]), cached=True)

    def put(self, key: str, provider: str, model: str, request: Any, answer: Completion) -> None:
        self._db().execute(
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
        return int(self._db().execute("SELECT COUNT(*) FROM responses").fetchone()[0])

    def close(self) -> None:
        if self._conn is not None and self._pid == os.getpid():
            self._conn.close()
        self._conn = None

    def __getstate__(self) -> dict[str, Any]:  # a step holding a cache is pickled to workers
        return {"path": self.path, "_conn": None, "_pid": 0}

    def __repr__(self) -> str:
        return f"ResponseCache({str(self.path)!r})"
