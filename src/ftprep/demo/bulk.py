"""A fast generator of clean chat records for benchmarks (a million records in well under a minute).

Instead of filling templates per record, :func:`iter_clean_chats` fills every scenario of the
realistic builder (:mod:`ftprep.demo.chats`) a few thousand times once, keeping the pieces a
conversation is made of: an opening exchange (sometimes through a tool call), a second issue
("Also, ..."), each with a follow-up, and a closing thank-you. Each record then only picks pieces
(never the same scenario twice) and gets fresh metadata. The 2% non-English chats come from the
realistic builder directly, since their pools are small.

Every record is clean in the sense of :mod:`ftprep.demo.sample` and a fresh dict (callers may
mutate it), and every line is distinct. Conversation *texts* do repeat, since the pieces come from
finite pools: in a million records about 13% repeat an earlier record's messages (support chats
5-7%; coding and general-knowledge chats, which are literal text, about 40%), a realistic
exact-duplicate rate for production logs.
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
from ftprep.demo.chats import (
    build_chat,
    closing_pair,
    follow_up_pair,
    opening_pair,
    scenarios_of,
    second_issue_pair,
    system_message,
    tool_turns,
)
from ftprep.demo.slots import draw_slots, order_slots

Pair = tuple[str, str]
#: scenario index, the issue's first exchange, one follow-up on it (if the scenario has any)
Issue = tuple[int, Pair, Pair | None]
#: scenario index, user, function name, arguments, tool result, answer, follow-up
ToolIssue = tuple[int, str, str, str, str, str, Pair | None]

_HARVEST_SEED = 20240501
_PER_CATEGORY = 3000
_FOREIGN_RATE = 0.02
_TOOLS_RATE = 0.1
_CALL_RATE = 0.7
_FOLLOW_RATE = 0.6  # an issue gets its follow-up; else the customer moves on
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
    openings: dict[str, tuple[Issue, ...]]
    tool_openings: dict[str, tuple[ToolIssue, ...]]
    second_issues: dict[str, tuple[Issue, ...]]
    closings: dict[str, tuple[Pair, ...]]
    scenario_counts: dict[str, int]
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
    head: list[dict[str, Any]] = []
    if tools and rand() < _CALL_RATE:
        scenario, user, name, args, result, answer, follow = _pick(
            p.tool_openings[category], rand()
        )
        call_id = f"call_{bits(96):024x}"
        call = {"id": call_id, "type": "function", "function": {"name": name, "arguments": args}}
        head = [
            {"role": "user", "content": user},
            {"role": "assistant", "content": None, "tool_calls": [call]},
            {"role": "tool", "tool_call_id": call_id, "content": result},
            {"role": "assistant", "content": answer},
        ]
        pairs: list[Pair] = []
    else:
        scenario, opening, follow = _pick(p.openings[category], rand())
        pairs = [opening]
    wanted = body - bool(head)
    used = {scenario}
    while len(pairs) < wanted:
        if follow and rand() < _FOLLOW_RATE:
            pairs.append(follow)
            follow = None
            continue
        issue = _pick(p.second_issues[category], rand())
        if issue[0] in used and len(used) < p.scenario_counts[category]:
            continue
        scenario, pair, follow = issue
        used.add(scenario)
        pairs.append(pair)
    if closing:
        pairs.append(_pick(p.closings[category], rand()))
    messages = [{"role": "system", "content": _pick(p.systems[category], rand())}, *head]
    for user, assistant in pairs:
        messages.append({"role": "user", "content": user})
        messages.append({"role": "assistant", "content": assistant})
    record: dict[str, Any] = {"messages": messages}
    if tools:
        record["tools"] = orjson.loads(p.tools_json)
    return record


def _pick(seq: tuple[Any, ...], r: float) -> Any:
    return seq[int(r * len(seq))]


@functools.cache
def _pools() -> _Pools:
    """Fill every category's scenarios many times over, once (well under a second; cached)."""
    rng = random.Random(_HARVEST_SEED)
    cats = pools.CATEGORIES
    systems: dict[str, list[str]] = {c: [] for c in cats}
    openings: dict[str, list[Issue]] = {c: [] for c in cats}
    tool_openings: dict[str, list[ToolIssue]] = {c: [] for c in pools.SUPPORT_CATEGORIES}
    second_issues: dict[str, list[Issue]] = {c: [] for c in cats}
    closings: dict[str, list[Pair]] = {c: [] for c in cats}
    for category in cats:
        scenarios = scenarios_of(category)
        for _ in range(_PER_CATEGORY):
            i = rng.randrange(len(scenarios))
            sc, slots = scenarios[i], draw_slots(rng)
            follow = follow_up_pair(rng, sc, slots) if sc.followups else None
            systems[category].append(system_message(rng, category, slots)["content"])
            openings[category].append((i, opening_pair(rng, sc, slots), follow))
            closings[category].append(closing_pair(rng, category, slots))
            if sc.tool:
                user = opening_pair(rng, sc, slots)[0]
                call, result, answer = tool_turns(rng, sc, slots, parallel=False)
                fn = call["tool_calls"][0]["function"]
                tool = (fn["name"], fn["arguments"], result["content"], answer["content"])
                tool_openings[category].append((i, user, *tool, follow))
            slots = {**slots, **order_slots(rng)}
            follow = follow_up_pair(rng, sc, slots) if sc.followups else None
            second_issues[category].append((i, second_issue_pair(rng, sc, slots), follow))
    weights = list(accumulate(pools.CATEGORY_WEIGHTS))
    return _Pools(
        categories=cats,
        cum_weights=tuple(w / weights[-1] for w in weights[:-1]),
        systems={c: tuple(v) for c, v in systems.items()},
        openings={c: tuple(dict.fromkeys(v)) for c, v in openings.items()},
        tool_openings={c: tuple(dict.fromkeys(v)) for c, v in tool_openings.items()},
        second_issues={c: tuple(dict.fromkeys(v)) for c, v in second_issues.items()},
        closings={c: tuple(dict.fromkeys(v)) for c, v in closings.items()},
        scenario_counts={c: len(scenarios_of(c)) for c in cats},
        tools_json=orjson.dumps(pools.SUPPORT_TOOLS),
    )
