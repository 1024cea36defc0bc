"""What goes to a chat model and what comes back, independent of the provider."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from ftprep.errors import FtprepError

#: sampling parameters a request may carry, sent as they are to an OpenAI-compatible server
SAMPLING_KEYS = ("temperature", "top_p", "max_tokens", "seed", "stop", "presence_penalty")


class LLMError(FtprepError):
    """A request that failed for good: not retryable, or still failing after every retry. The
    message names the endpoint and the last problem, never the API key."""


class TransientError(LLMError):
    """One try that failed in a way worth another: 429, 5xx, a timeout, a dropped connection, a
    reply cut short or not JSON. ``retry_after`` is the server's ``Retry-After`` header."""

    def __init__(self, message: str, retry_after: str | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class ChatRequest:
    """One chat completion to ask for.

    ``sample`` tells apart several answers wanted for the same prompt (best-of-n, votes): it takes
    part in the cache key and, when no seed is given, gives each sample its own seed.
    """

    messages: tuple[dict[str, Any], ...]
    sampling: tuple[tuple[str, Any], ...] = ()
    response_format: dict[str, Any] | None = None
    sample: int = 0

    @classmethod
    def of(
        cls,
        messages: Sequence[dict[str, Any]],
        *,
        response_format: dict[str, Any] | None = None,
        sample: int = 0,
        **sampling: Any,
    ) -> ChatRequest:
        unknown = set(sampling) - set(SAMPLING_KEYS)
        if unknown:
            raise TypeError(f"unknown sampling parameters: {', '.join(sorted(unknown))}")
        given = tuple(sorted((k, v) for k, v in sampling.items() if v is not None))
        return cls(tuple(dict(m) for m in messages), given, response_format, sample)

    @property
    def options(self) -> dict[str, Any]:
        return dict(self.sampling)

    def key(self, provider: str, model: str) -> str:
        """The cache key: provider, model, messages, sampling, response format and sample."""
        blob = orjson.dumps(
            [provider, model, self.messages, self.sampling, self.response_format, self.sample],
            option=orjson.OPT_SORT_KEYS,
        )
        return hashlib.sha256(blob).hexdigest()

    def estimated_tokens(self) -> int:
        """A rough count for tokens-per-minute limits: four characters a token, plus the
        completion's ``max_tokens`` (256 when not given)."""
        chars = sum(len(str(m.get("content") or "")) for m in self.messages)
        return chars // 4 + len(self.messages) * 4 + int(self.options.get("max_tokens") or 256)


@dataclass
class Completion:
    """One answer: its text, why it stopped, the tokens it took, and whether the cache gave it."""

    text: str
    finish_reason: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    model: str = ""
    cached: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "finish_reason": self.finish_reason,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "model": self.model,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, cached: bool = False) -> Completion:
        return cls(
            text=data["text"],
            finish_reason=data.get("finish_reason"),
            prompt_tokens=int(data.get("prompt_tokens") or 0),
            completion_tokens=int(data.get("completion_tokens") or 0),
            model=data.get("model") or "",
            cached=cached,
        )


@dataclass
class Usage:
    """What a client spent: requests sent and answered from the cache, retries, failures, tokens
    and (with prices per million tokens) their cost."""

    requests: int = 0
    cached: int = 0
    retries: int = 0
    failures: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    price_input: float | None = None
    price_output: float | None = None
    by_error: dict[str, int] = field(default_factory=dict)

    def add(self, completion: Completion) -> None:
        if completion.cached:
            self.cached += 1
            return
        self.requests += 1
        self.prompt_tokens += completion.prompt_tokens
        self.completion_tokens += completion.completion_tokens

    def error(self, kind: str) -> None:
        self.by_error[kind] = self.by_error.get(kind, 0) + 1

    @property
    def cost(self) -> float | None:
        if self.price_input is None and self.price_output is None:
            return None
        return (
            self.prompt_tokens * (self.price_input or 0.0)
            + self.completion_tokens * (self.price_output or 0.0)
        ) / 1e6

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "requests": self.requests,
            "cached": self.cached,
            "retries": self.retries,
            "failures": self.failures,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "errors": dict(sorted(self.by_error.items())),
        }
        cost = self.cost
        if cost is not None:
            out["cost"] = round(cost, 6)
        return out
