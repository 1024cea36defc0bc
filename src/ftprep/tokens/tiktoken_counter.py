"""Exact counts with OpenAI's ``tiktoken`` encodings (``cl100k_base``, ``o200k_base``...).

Needs the ``tiktoken`` extra. tiktoken downloads an encoding's files on first use and keeps them
under ``TIKTOKEN_CACHE_DIR`` (else ``DATA_GYM_CACHE_DIR``, else ``<tmp>/data-gym-cache``), each
named by the SHA-1 of its URL. ftprep never downloads: it looks for those files first and, when
they are missing, raises :class:`TokenizerError` saying how to pre-populate the cache, instead of
letting tiktoken wait on a network that may not answer. Chat examples are priced by the cookbook
formula of :mod:`ftprep.tokens.base`, which was written for these encodings.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any

from ftprep.errors import MissingExtraError, TokenizerError
from ftprep.tokens.base import FormulaCounter

#: Encoding names accepted on their own, without the ``tiktoken:`` prefix.
KNOWN_ENCODINGS: tuple[str, ...] = ("cl100k_base", "o200k_base", "p50k_base", "r50k_base")

_BLOB = "https://openaipublic.blob.core.windows.net/"
#: The files each encoding of ``tiktoken_ext.openai_public`` reads (tiktoken 0.5 to 0.14).
ENCODING_URLS: dict[str, tuple[str, ...]] = {
    "gpt2": (_BLOB + "gpt-2/encodings/main/vocab.bpe", _BLOB + "gpt-2/encodings/main/encoder.json"),
    "r50k_base": (_BLOB + "encodings/r50k_base.tiktoken",),
    "p50k_base": (_BLOB + "encodings/p50k_base.tiktoken",),
    "p50k_edit": (_BLOB + "encodings/p50k_base.tiktoken",),
    "cl100k_base": (_BLOB + "encodings/cl100k_base.tiktoken",),
    "o200k_base": (_BLOB + "encodings/o200k_base.tiktoken",),
    "o200k_harmony": (_BLOB + "encodings/o200k_base.tiktoken",),
}


def import_tiktoken() -> Any:
    """The ``tiktoken`` module, or :class:`MissingExtraError` naming the ``tiktoken`` extra."""
    try:
        import tiktoken
    except ImportError as exc:
        raise MissingExtraError("counting tokens with tiktoken", "tiktoken", "tiktoken") from exc
    return tiktoken


def tiktoken_cache_dir() -> Path | None:
    """The directory tiktoken reads its cache from, as ``tiktoken.load`` picks it.

    ``None`` when caching is disabled (``TIKTOKEN_CACHE_DIR=""``).
    """
    if "TIKTOKEN_CACHE_DIR" in os.environ:
        cache = os.environ["TIKTOKEN_CACHE_DIR"]
    elif "DATA_GYM_CACHE_DIR" in os.environ:
        cache = os.environ["DATA_GYM_CACHE_DIR"]
    else:
        cache = os.path.join(tempfile.gettempdir(), "data-gym-cache")
    return Path(cache) if cache else None


def cached_file(url: str, cache_dir: Path) -> Path:
    """The path tiktoken caches ``url`` at: the SHA-1 hex digest of the URL."""
    return cache_dir / hashlib.sha1(url.encode()).hexdigest()


def resolve_encoding(name: str) -> str:
    """The encoding called ``name``, or the encoding of the model called ``name`` (``gpt-4o``)."""
    tiktoken = import_tiktoken()
    known = set(ENCODING_URLS) | set(getattr(tiktoken, "list_encoding_names", list)())
    if name in known:
        return name
    try:
        return str(tiktoken.encoding_name_for_model(name))
    except KeyError:
        raise TokenizerError(
            f"tiktoken: {name!r} is neither an encoding ({', '.join(sorted(known))}) "
            "nor a model tiktoken knows"
        ) from None


def _not_cached_message(encoding: str, cache_dir: Path | None, missing: list[str]) -> str:
    if cache_dir is None:
        where = "TIKTOKEN_CACHE_DIR is empty, which turns tiktoken's cache off"
        cache_dir = Path("/path/to/tiktoken-cache")
    elif "TIKTOKEN_CACHE_DIR" in os.environ:
        where = f"it is not in TIKTOKEN_CACHE_DIR={cache_dir}"
    else:
        where = f"it is not in {cache_dir} and TIKTOKEN_CACHE_DIR is not set"
    downloads = "; ".join(f"{url} -> {cached_file(url, cache_dir)}" for url in missing)
    return (
        f"tiktoken encoding {encoding!r} is not available offline: {where}. ftprep does not "
        "download tokenizers. Pre-populate the cache on a machine with network access with "
        f"TIKTOKEN_CACHE_DIR=/path/to/cache python -c \"import tiktoken; tiktoken.get_encoding('{encoding}')\", "
        "copy that directory here and set TIKTOKEN_CACHE_DIR to it "
        f"(or download the files yourself: {downloads}). "
        "Alternatively count with a local tokenizer: --tokenizer path/to/tokenizer.json"
    )


def load_encoding(encoding: str) -> Any:
    """The ``tiktoken.Encoding`` called ``encoding``, read only from the local cache."""
    tiktoken = import_tiktoken()
    loaded = getattr(getattr(tiktoken, "registry", None), "ENCODINGS", {})
    if encoding not in loaded and encoding in ENCODING_URLS:
        cache_dir = tiktoken_cache_dir()
        urls = ENCODING_URLS[encoding]
        missing = [u for u in urls if cache_dir is None or not cached_file(u, cache_dir).is_file()]
        if missing:
            raise TokenizerError(_not_cached_message(encoding, cache_dir, missing))
    try:
        return tiktoken.get_encoding(encoding)
    except Exception as exc:  # a corrupt cache file makes tiktoken refetch; network errors vary
        raise TokenizerError(
            _not_cached_message(
                encoding, tiktoken_cache_dir(), list(ENCODING_URLS.get(encoding, ()))
            )
            + f" (tiktoken said: {exc})"
        ) from exc


class TiktokenCounter(FormulaCounter):
    """Counts with the tiktoken encoding ``encoding`` (an encoding or an OpenAI model name).

    Text is encoded with ``encode_ordinary``: special-token strings in the data (``<|endoftext|>``)
    count as the plain text they are.
    """

    approximate = False

    def __init__(self, encoding: str) -> None:
        self.encoding_name = resolve_encoding(encoding)
        self.model = encoding if encoding != self.encoding_name else None
        self._encoding = load_encoding(self.encoding_name)
        self.name = f"tiktoken:{self.encoding_name}"

    def count(self, text: str) -> int:
        """Tokens of ``text``."""
        return len(self._encoding.encode_ordinary(text))
