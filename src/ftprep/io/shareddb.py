"""One SQLite file shared by a run's worker processes (the embedding and LLM response caches).

WAL journaling lets processes read while one writes, a writer waits up to a minute for the lock
instead of failing, and each process opens its own connection: one is never used across a fork,
and a pickled holder carries only the path.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any


class SharedDatabase:
    """The file at ``path``, created with ``schema`` (``CREATE ... IF NOT EXISTS`` statements)
    on first use in each process."""

    def __init__(self, path: str | os.PathLike[str], schema: str) -> None:
        self.path = Path(path)
        self.schema = schema
        self._conn: sqlite3.Connection | None = None
        self._pid = 0

    def connection(self) -> sqlite3.Connection:
        """This process's connection (autocommit: each statement commits unless a transaction
        is begun)."""
        if self._conn is None or self._pid != os.getpid():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=60.0, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.executescript(self.schema)
            self._conn, self._pid = conn, os.getpid()
        return self._conn

    def close(self) -> None:
        if self._conn is not None and self._pid == os.getpid():
            self._conn.close()
        self._conn = None

    def __getstate__(self) -> dict[str, Any]:
        return {"path": self.path, "schema": self.schema, "_conn": None, "_pid": 0}
