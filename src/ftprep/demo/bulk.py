"""A fast generator of clean chat records for benchmarks (a million records in well under a minute).

Instead of filling templates per record, :func:`iter_clean_chats` harvests once, from a few
thousand records of the realistic builder (:func:`ftprep.demo.chats.build_chat`), the *threads*
those conversations are made of: an opening exchange with its follow-ups (sometimes through a tool
call), a second issue with its follow-ups, a closing thank-you. Each record then only picks and
joins threads, and gets fresh metadata. The 2% non-English chats come from the realistic builder
directly, since their pools are small.

Every record is clean in the sense of :mod:`ftprep.demo.sample` and a fresh dict (callers may
mutate it), and every line is distinct; but coding and general-knowledge chats draw on a few
literal scenarios, so about a quarter of them repeat an earlier chat's text (about 6% of all
records in 300k; support chats almost never repeat).
"""

from __future__ import annotations

import bisect
import functools
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

import orjson

from ftprep.demo import pools
from ftprep.demo.chats import SECOND_ISSUE_LEADS, build_chat
from ftprep.demo.support import SUPPORT_CLOSINGS
from ftprep.demo.topics import TOPIC_CLOSINGS

Pair = tuple[str, str]
Thread = tuple[Pair, ...]
#: user, function name, arguments, tool result, answer, the follow-ups after the answer
ToolThread = tuple[str, str, str, str, str, Thread]

_HARVEST_SEED = 20240501
_HARVEST_SIZE = 6000
_FOREIGN_RATE = 0.02
_TOOLS_RATE = 0.1
_CALL_RATE = 0.7
_WEIGHT_RATE = 0.15
_CLOSING_RATE = 0.6
_EPOCH = 1704067200  # 2024-01-01T00:00:00Z
_SPAN = 366 * 86400
_RATINGS = (1,) * 5 + (2,) * 6 + (3,) * 12 + (4,) * 30 + (5,) * 47


@dataclass(frozen=True)
class _Pools:
    categories: tuple[str, ...]
    cum_weights: tuple[float, ...]
    systems: dict[str, tuple[str, ...]]
    openings: dict[str, tuple[Thread, ...]]
    tool_openings: dict[str, tuple[ToolThread, ...]]
    second_issues: dict[str, tuple[Thread, ...]]
    closings: dict[str, tuple[Pair, ...]]
    tools_json: bytes


def iter_clean_chats(n: int, seed: int = 0) -> Iterator[dict[str, Any]]:
    """Yield ``n`` clean chat records (system prompt + 2-4 user turns), deterministic per seed."""
    p = _pools()
    rng = random.Random(seed)
    rand, bits = rng.random, rng.getrandbits
    for _ in range(n):
        if rand() < _FOREIGN_RATE:  # small template pools: fill them for real
            yield build_chat(rng, foreign=True)
            continue
        category = p.categories[bisect.bisect(p.cum_weights, rand())]
        record = _english(p, category, rand, bits)
        if rand() < _WEIGHT_RATE:
            answers = [m for m in record["messages"] if m["role"] == "assistant" and m["content"]]
            for m in answers:
                m["weight"] = 0
            answers[-1]["weight"] = 1
        created = time.gmtime(_EPOCH + int(rand() * _SPAN))
        record["metadata"] = {
            "source": pools.CHANNELS[int(rand() * len(pools.CHANNELS))],
            "category": category,
            "rating": _RATINGS[int(rand() * len(_RATINGS))],
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", created),
            "session_id": f"sess_{bits(64):016x}",
            "user_id": f"u_{100000 + int(rand() * 900000)}",
            "lang": "en",
        }
        yield record


def _english(
    p: _Pools, category: str, rand: Callable[[], float], bits: Callable[[int], int]
) -> dict[str, Any]:
    closing = rand() < _CLOSING_RATE
    body = 2 + int(rand() * 3) - closing  # 2-4 user turns in all
    tools = category in p.tool_openings and rand() < _TOOLS_RATE
    if tools and rand() < _CALL_RATE:
        user, name, args, result, answer, pairs = _pick(p.tool_openings[category], rand())
        call_id = f"call_{bits(96):024x}"
        call = {"id": call_id, "type": "function", "function": {"name": name, "arguments": args}}
        head = [
            {"role": "user", "content": user},
            {"role": "assistant", "content": None, "tool_calls": [call]},
            {"role": "tool", "tool_call_id": call_id, "content": result},
            {"role": "assistant", "content": answer},
        ]
        thread = list(pairs[: body - 1])
    else:
        head = []
        thread = list(_pick(p.openings[category], rand())[:body])
    while len(thread) < body - bool(head):
        thread += _pick(p.second_issues[category], rand())[: body - bool(head) - len(thread)]
    if closing:
        thread.append(_pick(p.closings[category], rand()))
    messages = [{"role": "system", "content": _pick(p.systems[category], rand())}, *head]
    for user, assistant in thread:
        messages.append({"role": "user", "content": user})
        messages.append({"role": "assistant", "content": assistant})
    record: dict[str, Any] = {"messages": messages}
    if tools:
        record["tools"] = orjson.loads(p.tools_json)
    return record


def _pick(seq: tuple[Any, ...], r: float) -> Any:
    return seq[int(r * len(seq))]


def _threads(
    pairs: list[Pair], closing_starts: tuple[str, ...]
) -> tuple[list[Thread], Pair | None]:
    """Split the turns after an opening into issue threads; peel off a final closing."""
    closing = pairs.pop() if pairs and pairs[-1][0].startswith(closing_starts) else None
    threads: list[list[Pair]] = [[]]
    for pair in pairs:
        if pair[0].startswith(SECOND_ISSUE_LEADS):
            threads.append([])
        threads[-1].append(pair)
    return [tuple(t) for t in threads], closing


@functools.cache
def _pools() -> _Pools:
    """Harvest threads from realistic records once (well under a second; cached)."""
    rng = random.Random(_HARVEST_SEED)
    closing_starts = tuple(u.split("{")[0] for u, _ in SUPPORT_CLOSINGS + TOPIC_CLOSINGS)
    cats = pools.CATEGORIES
    systems: dict[str, list[str]] = {c: [] for c in cats}
    openings: dict[str, list[Thread]] = {c: [] for c in cats}
    tool_openings: dict[str, list[ToolThread]] = {c: [] for c in pools.SUPPORT_CATEGORIES}
    second_issues: dict[str, list[Thread]] = {c: [] for c in cats}
    closings: dict[str, list[Pair]] = {c: [] for c in cats}
    while (
        min(len(v) for v in second_issues.values()) < 50
        or sum(map(len, systems.values())) < _HARVEST_SIZE
    ):
        record = build_chat(rng)
        category = record["metadata"]["category"]
        if record["metadata"]["lang"] != "en":  # generated per record instead
            continue
        systems[category].append(record["messages"][0]["content"])
        msgs = record["messages"][1:]
        calls = msgs[1].get("tool_calls")
        if calls and len(calls) > 1:
            continue
        rest = msgs[4:] if calls else msgs
        pairs = [(u["content"], a["content"]) for u, a in zip(rest[::2], rest[1::2], strict=True)]
        threads, closing = _threads(pairs, closing_starts)
        if calls:
            fn = calls[0]["function"]
            user, result, answer = msgs[0]["content"], msgs[2]["content"], msgs[3]["content"]
            opening = (user, fn["name"], fn["arguments"], result, answer, threads[0])
            tool_openings[category].append(opening)
        else:
            openings[category].append(threads[0])
        second_issues[category] += threads[1:]
        if closing:
            closings[category].append(closing)
    weights = list(accumulate(pools.CATEGORY_WEIGHTS))
    return _Pools(
        categories=cats,
        cum_weights=tuple(w / weights[-1] for w in weights[:-1]),
        systems={c: tuple(v) for c, v in systems.items()},
        openings={c: tuple(dict.fromkeys(v)) for c, v in openings.items()},
        tool_openings={c: tuple(dict.fromkeys(v)) for c, v in tool_openings.items()},
        second_issues={c: tuple(dict.fromkeys(v)) for c, v in second_issues.items()},
        closings={c: tuple(dict.fromkeys(v)) for c, v in closings.items()},
        tools_json=orjson.dumps(pools.SUPPORT_TOOLS),
    )
