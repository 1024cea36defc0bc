"""TiktokenCounter offline behaviour: no encodings can be downloaded in tests."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from ftprep.errors import MissingExtraError, TokenizerError
from ftprep.tokens import load_counter
from ftprep.tokens.tiktoken_counter import ENCODING_URLS, cached_file, resolve_encoding

tiktoken = pytest.importorskip("tiktoken")


@pytest.fixture
def empty_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    return tmp_path


@pytest.mark.timeout(30)
@pytest.mark.parametrize("spec", ["tiktoken:cl100k_base", "cl100k_base", "o200k_base", "gpt-4o"])
def test_uncached_encoding_fails_fast_naming_the_cache(empty_cache: Path, spec: str) -> None:
    started = time.perf_counter()
    with pytest.raises(TokenizerError) as info:
        load_counter(spec)
    assert time.perf_counter() - started < 5
    message = str(info.value)
    assert "TIKTOKEN_CACHE_DIR" in message
    assert str(empty_cache) in message
    assert "--tokenizer path/to/tokenizer.json" in message


@pytest.mark.timeout(30)
def test_disabled_cache_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", "")
    with pytest.raises(TokenizerError, match="TIKTOKEN_CACHE_DIR is empty"):
        load_counter("tiktoken:o200k_base")


def test_model_names_map_to_their_encoding() -> None:
    assert resolve_encoding("gpt-4o") == "o200k_base"
    assert resolve_encoding("gpt-4") == "cl100k_base"
    assert resolve_encoding("cl100k_base") == "cl100k_base"


def test_unknown_encoding() -> None:
    with pytest.raises(TokenizerError, match="neither an encoding"):
        load_counter("tiktoken:no-such-encoding")


def test_cache_layout_matches_tiktoken(empty_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tiktoken.load

    url = ENCODING_URLS["cl100k_base"][0]
    monkeypatch.setattr(tiktoken.load, "read_file", lambda blobpath: b"payload")
    assert tiktoken.load.read_file_cached(url) == b"payload"
    assert cached_file(url, empty_cache).read_bytes() == b"payload"


def test_missing_tiktoken_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tiktoken", None)
    with pytest.raises(MissingExtraError, match=r"ftprep\[tiktoken\]") as info:
        load_counter("tiktoken:cl100k_base")
    assert info.value.extra == "tiktoken"
