"""A fast generator of clean chat records for benchmarks (a million records in well under a minute).

Instead of filling templates per record, :func:`iter_clean_chats` harvests turns once from a few
thousand records of the realistic builder (:func:`ftprep.demo.chats.build_chat`) and then only
picks from those pools: a system prompt, an opening exchange (sometimes a tool call), one to three
follow-ups and often a closing, plus fresh metadata. Every record is clean in the sense of
:mod:`ftprep.demo.sample`, and a fresh dict, so callers may mutate it.
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
from ftprep.demo.chats import build_chat
from ftprep.demo.support import SUPPORT_CLOSINGS
from ftprep.demo.topics import TOPIC_CLOSINGS

Pair = tuple[str, str]
#: user, function name, arguments, tool result, answer
ToolOpening = tuple[str, str, str, str, str]

_HARVEST_SEED = 20240501
_HARVEST_SIZE = 4000
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
    openings: dict[str, tuple[Pair, ...]]
    tool_openings: dict[str, tuple[ToolOpening, ...]]
    followups: dict[str, tuple[Pair, ...]]
    closings: dict[str, tuple[Pair, ...]]
    foreign: tuple[tuple[str, str, tuple[Pair, ...]], ...]
    tools_json: bytes


def iter_clean_chats(n: int, seed: int = 0) -> Iterator[dict[str, Any]]:
    """Yield ``n`` clean chat records (system prompt + 2-4 user turns), deterministic per seed."""
    p = _pools()
    rng = random.Random(seed)
    rand, bits = rng.random, rng.getrandbits
    for _ in range(n):
        category = p.categories[bisect.bisect(p.cum_weights, rand())]
        if rand() < _FOREIGN_RATE:
            category, lang, pairs = p.foreign[int(rand() * len(p.foreign))]
            record = _record(_pick(p.systems[category], rand()), list(pairs))
        else:
            lang = "en"
            record = _english(p, category, rand, bits)
        messages = record["messages"]
        if rand() < _WEIGHT_RATE:
            answers = [m for m in messages if m["role"] == "assistant" and m["content"]]
            for m in answers:
                m["weight"] = 0
            answers[-1]["weight"] = 1
        record["metadata"] = {
            "source": pools.CHANNELS[int(rand() * len(pools.CHANNELS))],
            "category": category,
            "rating": _RATINGS[int(rand() * len(_RATINGS))],
            "created_at": time.strftime(
                "%Y-%m-%dT%H:%M:%SZ", time.gmtime(_EPOCH + int(rand() * _SPAN))
            ),
            "session_id": f"sess_{bits(64):016x}",
            "user_id": f"u_{100000 + int(rand() * 900000)}",
            "lang": lang,
        }
        yield record


def _english(
    p: _Pools, category: str, rand: Callable[[], float], bits: Callable[[int], int]
) -> dict[str, Any]:
    systems, followups = p.systems[category], p.followups[category]
    turns = 2 + int(rand() * 3)
    tools = category in p.tool_openings and rand() < _TOOLS_RATE
    if tools and rand() < _CALL_RATE:
        user, name, args, result, answer = _pick(p.tool_openings[category], rand())
        call_id = f"call_{bits(96):024x}"
        call = {"id": call_id, "type": "function", "function": {"name": name, "arguments": args}}
        head = [
            {"role": "user", "content": user},
            {"role": "assistant", "content": None, "tool_calls": [call]},
            {"role": "tool", "tool_call_id": call_id, "content": result},
            {"role": "assistant", "content": answer},
        ]
    else:
        user, answer = _pick(p.openings[category], rand())
        head = [{"role": "user", "content": user}, {"role": "assistant", "content": answer}]
    closing = rand() < _CLOSING_RATE
    pairs = [_pick(followups, rand()) for _ in range(turns - 1 - closing)]
    if closing:
        pairs.append(_pick(p.closings[category], rand()))
    record = _record(_pick(systems, rand()), pairs, head)
    if tools:
        record["tools"] = orjson.loads(p.tools_json)
    return record


def _record(
    system: str, pairs: list[Pair], head: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    messages = [{"role": "system", "content": system}, *(head or ())]
    for user, assistant in pairs:
        messages.append({"role": "user", "content": user})
        messages.append({"role": "assistant", "content": assistant})
    return {"messages": messages}


def _pick(seq: tuple[Any, ...], r: float) -> Any:
    return seq[int(r * len(seq))]


@functools.cache
def _pools() -> _Pools:
    """Harvest turns from realistic records once (about a second; cached for the process)."""
    rng = random.Random(_HARVEST_SEED)
    closing_starts = tuple(u.split("{")[0] for u, _ in SUPPORT_CLOSINGS + TOPIC_CLOSINGS)
    systems: dict[str, list[str]] = {c: [] for c in pools.CATEGORIES}
    openings: dict[str, list[Pair]] = {c: [] for c in pools.CATEGORIES}
    tool_openings: dict[str, list[ToolOpening]] = {c: [] for c in pools.SUPPORT_CATEGORIES}
    followups: dict[str, list[Pair]] = {c: [] for c in pools.CATEGORIES}
    closings: dict[str, list[Pair]] = {c: [] for c in pools.CATEGORIES}
    foreign: list[tuple[str, str, tuple[Pair, ...]]] = []
    for _ in range(_HARVEST_SIZE):
        record = build_chat(rng)
        category, lang = record["metadata"]["category"], record["metadata"]["lang"]
        msgs = [m for m in record["messages"] if m["role"] != "system"]
        if lang != "en":
            pairs = tuple(
                (u["content"], a["content"]) for u, a in zip(msgs[::2], msgs[1::2], strict=True)
            )
            foreign.append((category, lang, pairs))
            continue
        systems[category].append(record["messages"][0]["content"])
        calls = msgs[1].get("tool_calls")
        if calls and len(calls) == 1:
            fn = calls[0]["function"]
            opening = (
                msgs[0]["content"],
                fn["name"],
                fn["arguments"],
                msgs[2]["content"],
                msgs[3]["content"],
            )
            tool_openings[category].append(opening)
        elif not calls:
            openings[category].append((msgs[0]["content"], msgs[1]["content"]))
        rest = msgs[3 + len(calls) :] if calls else msgs[2:]
        for u, a in zip(rest[::2], rest[1::2], strict=True):
            target = closings if u["content"].startswith(closing_starts) else followups
            target[category].append((u["content"], a["content"]))
    weights = list(accumulate(pools.CATEGORY_WEIGHTS))
    return _Pools(
        categories=pools.CATEGORIES,
        cum_weights=tuple(w / weights[-1] for w in weights[:-1]),
        systems={c: tuple(v) for c, v in systems.items()},
        openings={c: tuple(dict.fromkeys(v)) for c, v in openings.items()},
        tool_openings={c: tuple(dict.fromkeys(v)) for c, v in tool_openings.items()},
        followups={c: tuple(dict.fromkeys(v)) for c, v in followups.items()},
        closings={c: tuple(dict.fromkeys(v)) for c, v in closings.items()},
        foreign=tuple(foreign),
        tools_json=orjson.dumps(pools.SUPPORT_TOOLS),
    )
