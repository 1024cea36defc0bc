"""A seeded, realistic and deliberately messy chat dataset: the data the README's demo runs on.

ftprep may not ship third-party data, so the demo generates its own: OpenAI chat fine-tuning JSONL
that looks like customer-support and assistant production logs (billing, tech support, shipping,
account, coding help, general knowledge; tools and tool calls; a few non-English chats; fake PII),
with a handful of each known defect planted at recorded lines. Every other line is clean::

    defects = generate_messy_chats("messy.jsonl", n=400, seed=0)
    for d in defects:
        print(d.line, d.code, d.description)
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from pathlib import Path

import orjson

from ftprep.demo.bulk import iter_clean_chats
from ftprep.demo.chats import build_chat
from ftprep.demo.defects import DEFECT_CODES, PLANTERS

__all__ = [
    "DEFECT_CODES",
    "PlantedDefect",
    "generate_messy_chats",
    "iter_clean_chats",
    "messy_lines",
]


@dataclass(frozen=True)
class PlantedDefect:
    """One defect planted on purpose: where it is, which kind, and what exactly is wrong."""

    line: int  # 1-based line in the written JSONL
    code: str  # one of DEFECT_CODES
    description: str


def generate_messy_chats(
    path: str | os.PathLike[str], *, n: int = 400, seed: int = 0
) -> list[PlantedDefect]:
    """Write ``n`` lines of messy chat JSONL to ``path``; return the planted defects by line.

    Same ``n`` and ``seed``, same bytes. About ``n // 120`` lines of each defect code (at least
    one of each code that fits, at most half the file) are planted at lines chosen by the seeded
    generator; line 1 is always clean.
    """
    lines, defects = messy_lines(n, seed=seed)
    data = "".join(line + "\n" for line in lines).encode("utf-8")
    Path(path).write_bytes(data)
    return defects


def messy_lines(n: int, *, seed: int = 0) -> tuple[list[str], list[PlantedDefect]]:
    """The lines :func:`generate_messy_chats` writes (without newlines) and the defects."""
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    rng = random.Random(seed)
    plan = _plan(rng, n)
    lines: list[str] = []
    clean: list[str] = []
    seen: set[tuple[tuple[str, str | None], ...]] = set()
    defects: list[PlantedDefect] = []
    for number in range(1, n + 1):
        code = plan.get(number)
        if code is None:
            line = _clean_line(rng, seen)
            clean.append(line)
        else:
            line, description = PLANTERS[code](rng, clean)
            defects.append(PlantedDefect(number, code, description))
        lines.append(line)
    return lines, defects


def _plan(rng: random.Random, n: int) -> dict[int, str]:
    """Line number -> defect code for the lines that get a defect."""
    per_code = max(1, n // 120)
    codes = [code for code in DEFECT_CODES for _ in range(per_code)]
    room = max(0, (n - 1) // 2)
    if len(codes) > room:
        codes = rng.sample(codes, room)
    positions = rng.sample(range(2, n + 1), len(codes))
    return dict(zip(positions, codes, strict=True))


def _clean_line(rng: random.Random, seen: set[tuple[tuple[str, str | None], ...]]) -> str:
    """A clean record whose conversation text differs from every clean record before it."""
    while True:
        record = build_chat(rng)
        key = tuple((m["role"], m.get("content")) for m in record["messages"])
        if key not in seen:
            seen.add(key)
            return orjson.dumps(record).decode()
