"""Context limits per fine-tuning target."""

from __future__ import annotations

import pytest

from ftprep.tokens.limits import CONTEXT_LIMITS, UnknownTargetError, context_limit


@pytest.mark.parametrize(
    ("target", "limit"),
    [("openai", 65536), ("axolotl", 2048), ("llama-factory", 2048), ("trl", 1024)],
)
def test_target_limits(target: str, limit: int) -> None:
    assert context_limit(target, None) == limit
    assert CONTEXT_LIMITS[target] == limit


def test_no_target_means_openai() -> None:
    assert context_limit(None, None) == 65536


def test_aliases_and_case() -> None:
    assert context_limit("LlamaFactory", None) == 2048
    assert context_limit("llama_factory", None) == 2048
    assert context_limit(" TRL ", None) == 1024


def test_override_wins() -> None:
    assert context_limit("trl", 4096) == 4096
    assert context_limit(None, 16385) == 16385


def test_unknown_target() -> None:
    with pytest.raises(UnknownTargetError, match="unknown fine-tuning target 'mlx'"):
        context_limit("mlx", None)
    with pytest.raises(ValueError, match="trl"):
        context_limit("mlx", None)


def test_override_must_be_positive() -> None:
    with pytest.raises(UnknownTargetError, match="positive"):
        context_limit("openai", 0)
