"""Text embeddings: one small interface (:class:`Embedder`: ``embed(texts)`` gives unit-length
float32 rows), a local sentence-transformers model or an OpenAI-compatible endpoint behind it,
and an on-disk cache in front of either.

The semantic dedup step uses it; so can anything else that compares texts by meaning.
"""

from ftprep.embed.cache import CachedEmbedder, EmbeddingCache
from ftprep.embed.providers import (
    BUNDLED_MODEL,
    Embedder,
    EmbeddingError,
    LocalEmbedder,
    OpenAIEmbedder,
    normalize,
)

__all__ = [
    "BUNDLED_MODEL",
    "CachedEmbedder",
    "Embedder",
    "EmbeddingCache",
    "EmbeddingError",
    "LocalEmbedder",
    "OpenAIEmbedder",
    "normalize",
]
