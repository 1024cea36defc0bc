"""The parameters of a step that embeds texts, and the embedder they name."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from pydantic import Field

from ftprep.embed.cache import CachedEmbedder, EmbeddingCache
from ftprep.embed.providers import Embedder, LocalEmbedder, OpenAIEmbedder
from ftprep.errors import MissingExtraError
from ftprep.steps.base import StepParams


class EmbedderParams(StepParams):
    """Which model embeds the texts, where it runs, and the cache in front of it."""

    model: str = Field(
        "all-MiniLM-L6-v2",
        description="The embedding model: the bundled `all-MiniLM-L6-v2`, a directory holding a "
        "sentence-transformers model, or with `endpoint` the model name the endpoint serves.",
    )
    endpoint: str | None = Field(
        None,
        description="Base URL of an OpenAI-compatible API (e.g. `https://api.openai.com/v1`); "
        "unset: run the model here.",
    )
    api_key_env: str = Field(
        "OPENAI_API_KEY", description="The environment variable holding the endpoint's API key."
    )
    batch_size: int = Field(64, ge=1, le=4096, description="Texts embedded per batch.")
    max_chars: int = Field(
        8000,
        ge=1,
        description="Texts are cut to this many characters before embedding (a model reads a "
        "bounded number of tokens anyway: all-MiniLM-L6-v2 about 256, about 200 words).",
    )
    cache_dir: str | None = Field(
        None,
        description="A folder for an on-disk cache of embeddings (by model and text hash), "
        "shared by runs and workers (in a recipe, relative to the recipe's folder); unset: no "
        "cache.",
    )

    def resolve_paths(self, base: Path) -> EmbedderParams:
        if self.cache_dir is None or Path(self.cache_dir).is_absolute():
            return self
        return self.model_copy(update={"cache_dir": str(base / self.cache_dir)})


def build_embedder(p: EmbedderParams, what: str) -> Embedder:
    """The embedder ``p`` names, behind the cache when there is one; the local model itself
    loads on the first texts. ``what`` names the step in a missing-extra error."""
    embedder: Embedder
    if p.endpoint:
        embedder = OpenAIEmbedder(
            p.model, base_url=p.endpoint, api_key_env=p.api_key_env, batch_size=p.batch_size
        )
    else:
        if importlib.util.find_spec("sentence_transformers") is None:
            raise MissingExtraError(what, "semantic", "sentence-transformers")
        # imported here, before the workers fork, so that they share it; no inference runs here
        import sentence_transformers  # noqa: F401

        embedder = LocalEmbedder(p.model, batch_size=p.batch_size)
    return with_cache(embedder, p)


def with_cache(embedder: Embedder, p: EmbedderParams) -> Embedder:
    """``embedder`` behind the cache ``p`` names, if it names one."""
    if p.cache_dir and not isinstance(embedder, CachedEmbedder):
        return CachedEmbedder(embedder, EmbeddingCache(p.cache_dir))
    return embedder
