"""The one client every LLM step talks to: a provider behind a response cache, rate limits and
retries, with token and cost accounting.

    client = build_client(LLMConfig(base_url="http://127.0.0.1:8000/v1", model="gemma"))
    answer = await client.chat([{"role": "user", "content": "Hi"}], max_tokens=20)

A request goes: cache (answered before: nothing is sent) -> a slot under the concurrency,
requests-per-minute and tokens-per-minute limits -> the provider. A try that fails in a way worth
another (429, 5xx, timeouts, dropped connections, replies cut short or not JSON) is tried again
after the server's ``Retry-After`` or an exponential backoff with jitter, up to ``retries`` times;
then :class:`LLMError` says what went wrong last. The answer is cached the moment it arrives.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from ftprep.endpoint import backoff_delay
from ftprep.llm.cache import ResponseCache, default_cache_path
from ftprep.llm.limits import RateLimiter
from ftprep.llm.providers import ChatProvider, LocalProvider, OpenAIProvider
from ftprep.llm.types import ChatRequest, Completion, LLMError, TransientError, Usage

log = logging.getLogger("ftprep.llm")
T = TypeVar("T")


class LLMConfig(BaseModel):
    """Which model answers and how it is called; the ``llm:`` block of a recipe or step."""

    model_config = ConfigDict(extra="forbid")

    provider: Literal["auto", "openai", "local"] = Field(
        "auto",
        description="`openai` for any OpenAI-compatible endpoint, `local` for the bundled Gemma 3 "
        "270M run in-process, `auto`: an endpoint when `base_url`, $OPENAI_BASE_URL or "
        "$OPENAI_API_KEY is set, else local.",
    )
    base_url: str | None = Field(None, description="The endpoint (default: $OPENAI_BASE_URL).")
    model: str | None = Field(None, description="The model name sent to the endpoint.")
    model_path: str | None = Field(
        None, description="A GGUF file for the local provider (default: the bundled Gemma)."
    )
    api_key_env: str = Field("OPENAI_API_KEY", description="The variable holding the API key.")
    concurrency: int = Field(8, ge=1, description="Requests in flight at most.")
    rpm: float | None = Field(None, gt=0, description="Requests per minute at most.")
    tpm: float | None = Field(None, gt=0, description="Tokens per minute at most (estimated).")
    retries: int = Field(6, ge=0, description="Tries after the first on 429, 5xx, timeouts.")
    backoff: float = Field(1.0, ge=0, description="First backoff in seconds (doubles per try).")
    max_wait: float = Field(60.0, ge=0, description="Longest wait between tries, in seconds.")
    timeout: float = Field(120.0, gt=0, description="Seconds per request.")
    cache: bool | str = Field(
        True,
        description="Cache answers: true for $FTPREP_CACHE_DIR/llm.sqlite (default "
        "~/.cache/ftprep), a path for another file, false for none.",
    )
    price_input: float | None = Field(None, ge=0, description="Price per 1M prompt tokens.")
    price_output: float | None = Field(None, ge=0, description="Price per 1M completion tokens.")

    def resolved_provider(self) -> Literal["openai", "local"]:
        if self.provider != "auto":
            return self.provider
        env = os.environ
        if self.base_url or env.get("OPENAI_BASE_URL") or env.get(self.api_key_env):
            return "openai"
        return "local"


class ChatClient:
    """A provider with a cache, limits, retries and usage accounting (see the module doc)."""

    def __init__(
        self,
        provider: ChatProvider,
        *,
        cache: ResponseCache | None = None,
        concurrency: int = 8,
        rpm: float | None = None,
        tpm: float | None = None,
        retries: int = 6,
        backoff: float = 1.0,
        max_wait: float = 60.0,
        usage: Usage | None = None,
    ) -> None:
        self.provider = provider
        self.cache = cache
        self.concurrency, self.rpm, self.tpm = concurrency, rpm, tpm
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self.usage = usage or Usage()
        self._limiter: RateLimiter | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._rng = random.Random()

    @property
    def structured(self) -> bool:
        """Whether the provider honours a JSON schema in ``response_format``."""
        return self.provider.structured

    def _limits(self) -> RateLimiter:
        loop = asyncio.get_running_loop()
        if self._limiter is None or self._loop is not loop:  # asyncio objects belong to a loop
            self._limiter = RateLimiter(self.concurrency, self.rpm, self.tpm)
            self._loop = loop
        return self._limiter

    async def chat(
        self,
        messages: Sequence[dict[str, Any]],
        *,
        response_format: dict[str, Any] | None = None,
        sample: int = 0,
        **sampling: Any,
    ) -> Completion:
        """One answer to ``messages`` (from the cache when it was given before)."""
        request = ChatRequest.of(
            messages, response_format=response_format, sample=sample, **sampling
        )
        return await self.send(request)

    async def send(self, request: ChatRequest) -> Completion:
        provider = self.provider
        key = request.key(provider.name, provider.model)
        if self.cache is not None and (hit := self.cache.get(key)) is not None:
            self.usage.add(hit)
            return hit
        answer = await self._try(request)
        if self.cache is not None:
            body: dict[str, Any] = {"messages": request.messages, "sampling": request.sampling}
            if request.response_format is not None:
                body["response_format"] = request.response_format
            self.cache.put(key, provider.name, provider.model, body, answer)
        self.usage.add(answer)
        return answer

    async def _try(self, request: ChatRequest) -> Completion:
        estimate = request.estimated_tokens()
        for attempt in range(self.retries + 1):
            async with self._limits().slot(estimate) as settle:
                try:
                    answer = await self.provider.send(request)
                except TransientError as exc:
                    settle(0)
                    problem: TransientError = exc
                except LLMError:
                    settle(0)
                    self.usage.failures += 1
                    self.usage.error("fatal")
                    raise
                else:
                    settle(answer.prompt_tokens + answer.completion_tokens or estimate)
                    return answer
            self.usage.error(_kind(str(problem)))
            if attempt == self.retries:
                break
            self.usage.retries += 1
            delay = backoff_delay(
                attempt, problem.retry_after, base=self.backoff, cap=self.max_wait, rng=self._rng
            )
            log.warning(
                "%s: %s; try %d of %d in %.2fs",
                self.provider.name,
                problem,
                attempt + 2,
                self.retries + 1,
                delay,
            )
            await asyncio.sleep(delay)
        self.usage.failures += 1
        tries = self.retries + 1
        raise LLMError(f"{self.provider.name}: {problem} (after {tries} tries)")

    async def aclose(self) -> None:
        await self.provider.aclose()

    def run(self, awaitable: Coroutine[Any, Any, T]) -> T:
        """Run ``awaitable`` (a ``chat``, an ``ask``...) from synchronous code, in a loop of its
        own, and close the client's connections in it afterwards."""

        async def main() -> T:
            try:
                return await awaitable
            finally:
                await self.aclose()

        return run_async(main())

    def __getstate__(self) -> dict[str, Any]:  # asyncio objects never cross a fork or pickle
        return {**self.__dict__, "_limiter": None, "_loop": None}

    def __repr__(self) -> str:
        return f"ChatClient({self.provider!r}, cache={self.cache!r})"


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion in a new event loop: uvloop's when it is installed (it wakes
    for less CPU per request), else asyncio's."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    return uvloop.run(coro)


def _kind(problem: str) -> str:
    """A short label of a transient failure, for the error counts."""
    if problem.startswith("HTTP "):
        return problem.split(" ", 2)[1]
    if problem.startswith("malformed"):
        return "malformed"
    return problem.split(":", 1)[0]


def build_client(config: LLMConfig | None = None, *, base_dir: Path | None = None) -> ChatClient:
    """The client ``config`` describes (the defaults when None)."""
    config = config or LLMConfig.model_validate({})
    provider: ChatProvider
    if config.resolved_provider() == "openai":
        model = config.model or os.environ.get("OPENAI_MODEL")
        if not model:
            raise LLMError("an OpenAI-compatible endpoint needs a model: set llm.model (--model)")
        provider = OpenAIProvider(
            model, base_url=config.base_url, api_key_env=config.api_key_env, timeout=config.timeout
        )
    else:
        path = config.model_path
        if path and base_dir is not None and not Path(path).is_absolute():
            path = str(base_dir / path)
        provider = LocalProvider(path)
    cache = None
    if config.cache is not False:
        where = default_cache_path() if config.cache is True else Path(config.cache)
        if base_dir is not None and not where.is_absolute():
            where = base_dir / where
        cache = ResponseCache(where)
    usage = Usage(price_input=config.price_input, price_output=config.price_output)
    return ChatClient(
        provider,
        cache=cache,
        concurrency=config.concurrency,
        rpm=config.rpm,
        tpm=config.tpm,
        retries=config.retries,
        backoff=config.backoff,
        max_wait=config.max_wait,
        usage=usage,
    )
