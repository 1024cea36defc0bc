"""An on-disk cache of embeddings, keyed by the model's name and the SHA-256 of the text.

One SQLite file shared by the worker processes (see :class:`~ftprep.io.shareddb.SharedDatabase`);
vectors are stored as float32 bytes.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from ftprep.embed.providers import Embedder, Vectors
from ftprep.io.shareddb import SharedDatabase

#: the cache's file in its folder
FILE = "embeddings.sqlite3"
_CHUNK = 500  # keys per SELECT (SQLite's limit on bound parameters is far above)
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS vectors (model TEXT NOT NULL, key BLOB NOT NULL, "
    "vector BLOB NOT NULL, PRIMARY KEY (model, key)) WITHOUT ROWID"
)


def text_key(text: str) -> bytes:
    """The SHA-256 of the text's UTF-8 bytes (lone surrogates kept as they are)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


class EmbeddingCache:
    """Vectors by ``(model name, text)`` in ``folder/embeddings.sqlite3``."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self._file = SharedDatabase(Path(folder) / FILE, _SCHEMA)

    @property
    def path(self) -> Path:
        return self._file.path

    def get_many(self, model: str, texts: list[str]) -> tuple[dict[int, Vectors], list[int]]:
        """The cached vector of each text found, by its index in ``texts``, and the indices of
        the texts not found (in order)."""
        keys = [text_key(t) for t in texts]
        found: dict[bytes, bytes] = {}
        unique = list(dict.fromkeys(keys))
        db = self._file.connection()
        for start in range(0, len(unique), _CHUNK):
            chunk = unique[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = db.execute(
                f"SELECT key, vector FROM vectors WHERE model = ? AND key IN ({marks})",
                (model, *chunk),
            )
            found.update(rows)
        hits: dict[int, Vectors] = {}
        missing: list[int] = []
        for i, key in enumerate(keys):
            blob = found.get(key)
            if blob is None:
                missing.append(i)
            else:
                hits[i] = np.frombuffer(blob, dtype=np.float32)
        return hits, missing

    def put_many(self, model: str, texts: list[str], vectors: Vectors) -> None:
        """Store each text's vector (a text already stored keeps its first vector)."""
        rows = [
            (model, text_key(t), np.ascontiguousarray(v, dtype=np.float32).tobytes())
            for t, v in zip(texts, vectors, strict=True)
        ]
        db = self._file.connection()
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany("INSERT OR IGNORE INTO vectors VALUES (?, ?, ?)", rows)
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def close(self) -> None:
        self._file.close()


class CachedEmbedder:
    """An :class:`Embedder` that looks each text up in an :class:`EmbeddingCache` first and
    embeds only the texts not there (each distinct text once), then stores them."""

    def __init__(self, embedder: Embedder, cache: EmbeddingCache) -> None:
        self.embedder = embedder
        self.cache = cache
        self.hits = 0
        self.misses = 0

    @property
    def name(self) -> str:
        return self.embedder.name

    @property
    def dim(self) -> int:
        return self.embedder.dim

    def embed(self, texts: list[str]) -> Vectors:
        if not texts:
            return self.embedder.embed([])
        hits, missing = self.cache.get_many(self.name, texts)
        self.hits += len(hits)
        fresh: dict[str, Vectors] = {}
        if missing:
            todo = list(dict.fromkeys(texts[i] for i in missing))
            self.misses += len(todo)
            vectors = self.embedder.embed(todo)
            self.cache.put_many(self.name, todo, vectors)
            fresh = dict(zip(todo, vectors, strict=True))
        rows = [hits[i] if i in hits else fresh[t] for i, t in enumerate(texts)]
        return np.stack(rows).astype(np.float32, copy=False)

    def __repr__(self) -> str:
        return f"CachedEmbedder({self.embedder!r}, {self.cache.path})"
