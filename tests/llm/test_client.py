"""The chat client against the fault-injecting server: retries, Retry-After, cache, usage."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

import pytest

from ftprep.llm import ChatClient, LLMConfig, LLMError, ResponseCache, build_client
from ftprep.llm.faults import FaultServer
from ftprep.llm.providers import OpenAIProvider

pytest.importorskip("httpx")

HELLO = [{"role": "user", "content": "hello"}]


def client_for(server: FaultServer, tmp_path: Path | None = None, **options: object) -> ChatClient:
    config = LLMConfig.model_validate(
        {
            "provider": "openai",
            "base_url": server.url,
            "model": "fake",
            "backoff": 0.01,
            "timeout": 0.5,
            "cache": str(tmp_path / "llm.sqlite") if tmp_path else False,
            **options,
        }
    )
    return build_client(config)


def test_every_fault_is_retried_until_an_answer() -> None:
    faults = ["429", "500", "503", "malformed", "truncated", "drop", "timeout"]
    with FaultServer(faults, hang=1.0) as server:
        client = client_for(server, retries=len(faults))
        answer = client.run(client.chat(HELLO))
    assert answer.text == "echo: hello"
    assert server.counts["ok"] == 1 and server.requests == len(faults) + 1
    usage = client.usage.to_dict()
    assert usage["retries"] == len(faults) and usage["requests"] == 1
    assert set(usage["errors"]) >= {"429", "500", "503", "malformed"}


def test_retry_after_is_honoured() -> None:
    with FaultServer(["429", "429"], retry_after="0.4") as server:
        client = client_for(server, backoff=0.0)
        started = time.perf_counter()
        client.run(client.chat(HELLO))
    assert time.perf_counter() - started >= 0.8


def test_giving_up_names_the_last_problem_and_never_the_key(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-123")
    with FaultServer(["500"] * 10) as server, caplog.at_level(logging.WARNING):
        client = client_for(server, retries=2)
        with pytest.raises(LLMError, match=r"HTTP 500 .*after 3 tries"):
            client.run(client.chat(HELLO))
    assert client.usage.failures == 1 and server.requests == 3
    assert "sk-secret-123" not in caplog.text and caplog.records


def test_client_errors_are_not_retried() -> None:
    with FaultServer() as server:
        provider = OpenAIProvider("fake", base_url=server.url.replace("/v1", "/nope"))
        client = ChatClient(provider, retries=5, backoff=0.01)
        with pytest.raises(LLMError, match="HTTP"):
            client.run(client.chat(HELLO))


def test_cache_answers_a_rerun_without_a_request(tmp_path: Path) -> None:
    prompts = [[{"role": "user", "content": f"q{i}"}] for i in range(20)]

    async def run_all(client: ChatClient) -> list[str]:
        return [a.text for a in await asyncio.gather(*(client.chat(p) for p in prompts))]

    with FaultServer(rates={"500": 0.3}, seed=1) as server:
        first_client = client_for(server, tmp_path, retries=20)
        first = first_client.run(run_all(first_client))
        sent = server.counts["ok"]
        again = client_for(server, tmp_path)
        second = again.run(run_all(again))
    assert first == second == [f"echo: q{i}" for i in range(20)]
    assert sent == 20 and server.counts["ok"] == 20  # nothing asked twice
    assert again.usage.cached == 20 and again.usage.requests == 0
    assert len(ResponseCache(tmp_path / "llm.sqlite")) == 20


def test_samples_and_sampling_are_separate_cache_entries(tmp_path: Path) -> None:
    with FaultServer() as server:
        client = client_for(server, tmp_path)

        async def go() -> None:
            await client.chat(HELLO, temperature=0.7, sample=0)
            await client.chat(HELLO, temperature=0.7, sample=1)
            await client.chat(HELLO, temperature=0.2)
            await client.chat(HELLO, temperature=0.7, sample=1)

        client.run(go())
    assert server.counts["ok"] == 3 and client.usage.cached == 1


def test_concurrency_limit_holds() -> None:
    in_flight = peak = 0

    class Counting(OpenAIProvider):
        async def send(self, request):  # type: ignore[no-untyped-def]
            nonlocal in_flight, peak
            in_flight += 1
            peak = max(peak, in_flight)
            try:
                return await super().send(request)
            finally:
                in_flight -= 1

    with FaultServer(delay=0.02) as server:
        client = ChatClient(Counting("fake", base_url=server.url), concurrency=3)

        async def go() -> None:
            prompts = [[{"role": "user", "content": str(i)}] for i in range(12)]
            await asyncio.gather(*(client.chat(p) for p in prompts))

        client.run(go())
    assert peak == 3


def test_requests_per_minute_limit_spaces_requests() -> None:
    with FaultServer() as server:
        client = client_for(server, rpm=1200)  # 20 a second, at most 20 at once

        async def go() -> None:
            prompts = [[{"role": "user", "content": str(i)}] for i in range(30)]
            await asyncio.gather(*(client.chat(p) for p in prompts))

        started = time.perf_counter()
        client.run(go())
    assert time.perf_counter() - started >= 0.45


def test_usage_and_cost() -> None:
    with FaultServer() as server:
        client = client_for(server, price_input=2.0, price_output=8.0)
        client.run(client.chat([{"role": "user", "content": "x" * 400}]))
    usage = client.usage.to_dict()
    assert usage["prompt_tokens"] == 100 and usage["completion_tokens"] == 102
    assert usage["cost"] == pytest.approx((100 * 2.0 + 102 * 8.0) / 1e6)


def test_provider_choice_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    assert LLMConfig.model_validate({}).resolved_provider() == "local"
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:1/v1")
    assert LLMConfig.model_validate({}).resolved_provider() == "openai"
    with pytest.raises(LLMError, match="needs a model"):
        build_client(LLMConfig.model_validate({"cache": False}))
