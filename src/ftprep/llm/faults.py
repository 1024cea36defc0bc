"""A fault-injecting OpenAI-compatible server, for testing that clients and recipes lose nothing.

It answers ``POST /v1/chat/completions`` on loopback from a thread of its own, and before each
answer draws a fault from a script (a list used in order) or at random with a seed: ``ok``,
``429`` (with ``Retry-After``), ``500``, ``503``, ``timeout`` (no answer for ``hang`` seconds),
``malformed`` (200 with a body that is not JSON), ``truncated`` (a body cut short and the
connection closed) or ``drop`` (the connection closed with no answer). Written on raw sockets
so that the faults are real protocol faults, not what a web framework allows.

    with FaultServer(faults=["429", "500", "ok"]) as server:
        client = build_client(LLMConfig(base_url=server.url, model="fake"))
"""

from __future__ import annotations

import asyncio
import json
import random
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

FAULTS = ("ok", "429", "500", "503", "timeout", "malformed", "truncated", "drop")


def echo_reply(body: dict[str, Any]) -> str:
    """The default answer: the last user message, echoed."""
    users = [m.get("content") for m in body.get("messages", []) if m.get("role") == "user"]
    return f"echo: {users[-1] if users else ''}"


class FaultServer:
    """See the module doc. ``reply`` makes the answer text from the request body; ``rates``
    gives each fault's probability for random faults once the script is used up."""

    def __init__(
        self,
        faults: Sequence[str] = (),
        *,
        rates: dict[str, float] | None = None,
        seed: int = 0,
        reply: Callable[[dict[str, Any]], str] = echo_reply,
        retry_after: str = "0.05",
        hang: float = 5.0,
        delay: float = 0.0,
    ) -> None:
        unknown = {f for f in [*faults, *(rates or {})] if f not in FAULTS}
        if unknown:
            raise ValueError(f"unknown faults: {sorted(unknown)} (known: {', '.join(FAULTS)})")
        self.script = list(faults)
        self.rates = rates or {}
        self.reply = reply
        self.retry_after = retry_after
        self.hang = hang
        self.delay = delay
        self.counts: Counter[str] = Counter()
        self.bodies: list[dict[str, Any]] = []
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.base_events.Server | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def requests(self) -> int:
        return sum(self.counts.values())

    def start(self) -> FaultServer:
        self._thread.start()
        started = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._handle, "127.0.0.1", 0), self._loop
        )
        self._server = started.result(10)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        if self._thread.is_alive():
            asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
        self._loop.close()

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _draw(self) -> str:
        with self._lock:
            if self.script:
                return self.script.pop(0)
            roll = self._rng.random()
            for fault, rate in self.rates.items():
                if roll < rate:
                    return fault
                roll -= rate
            return "ok"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while await self._one(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass  # a client that went away, or the server stopping
        finally:
            writer.close()

    async def _one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Serve one request on a kept-alive connection; False when the connection ends."""
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {
            k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])
        }
        raw = await reader.readexactly(int(headers.get("content-length", "0")))
        path = lines[0].split(" ")[1] if " " in lines[0] else ""
        if path != "/v1/chat/completions":
            await _send(writer, "404 Not Found", b'{"error": "no such route"}')
            return True
        fault = self._draw()
        with self._lock:
            self.counts[fault] += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if fault == "drop":
            return False
        if fault == "timeout":
            await asyncio.sleep(self.hang)
            return False
        if fault in ("429", "500", "503"):
            reason = {"429": "Too Many Requests", "500": "Internal Server Error"}.get(
                fault, "Service Unavailable"
            )
            extra = f"Retry-After: {self.retry_after}\r\n" if fault == "429" else ""
            await _send(writer, f"{fault} {reason}", b'{"error": "injected"}', extra)
            return True
        body = json.loads(raw or b"{}")
        with self._lock:
            self.bodies.append(body)
        if fault == "malformed":
            await _send(writer, "200 OK", b'{"choices": [{"message": {"content": "cut')
            return True
        payload = json.dumps(_completion(body, self.reply(body))).encode()
        if fault == "truncated":
            writer.write(_head("200 OK", len(payload)) + payload[: len(payload) // 3])
            await writer.drain()
            return False
        await _send(writer, "200 OK", payload)
        return True


def _completion(body: dict[str, Any], text: str) -> dict[str, Any]:
    prompt = sum(len(str(m.get("content") or "")) for m in body.get("messages", [])) // 4
    return {
        "id": "chatcmpl-fault",
        "object": "chat.completion",
        "model": body.get("model", "fake"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": len(text) // 4 + 1,
            "total_tokens": prompt + len(text) // 4 + 1,
        },
    }


def _head(status: str, length: int, extra: str = "") -> bytes:
    return (
        f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {length}\r\n{extra}\r\n"
    ).encode()


async def _send(writer: asyncio.StreamWriter, status: str, payload: bytes, extra: str = "") -> None:
    writer.write(_head(status, len(payload), extra) + payload)
    await writer.drain()
