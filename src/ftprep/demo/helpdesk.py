"""A helpdesk's message export for the demo's collect stage: one CSV row per message.

Conversations from :func:`~ftprep.demo.generate_messy_chats` are cut into messages with a ticket
id, a time, an author (customer or agent), the agent's kind (human or bot), and on each ticket's
last message its CSAT rating (1-5) and status (solved, escalated, open), then written in time
order, the tickets interleaved, as a real export is. Defects of the chats come along, and a few
rows of the export's own: an author nobody mapped, a message with no text.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import random
import tempfile
from pathlib import Path

import orjson

from ftprep.demo.sample import generate_messy_chats

FIELDS = ["ticket_id", "sent_at", "author", "agent_kind", "message", "csat", "ticket_status"]
START = dt.datetime(2024, 6, 3, 8, 0, tzinfo=dt.UTC)


def write_helpdesk_export(path: str | os.PathLike[str], *, tickets: int, seed: int = 0) -> int:
    """Write ``tickets`` tickets' messages to ``path`` (CSV); returns the number of rows."""
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        chats = Path(tmp) / "chats.jsonl"
        generate_messy_chats(chats, n=tickets, seed=seed + 1)
        rows: list[tuple[dt.datetime, dict[str, object]]] = []
        for k, line in enumerate(chats.read_bytes().splitlines(), 1):
            try:
                record = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue
            rows += _ticket(record, f"T-{k:05d}", rng)
    rows.sort(key=lambda r: r[0])
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, FIELDS)
        writer.writeheader()
        for when, row in rows:
            writer.writerow({**row, "sent_at": when.isoformat()})
    return len(rows)


def _ticket(
    record: object, ticket: str, rng: random.Random
) -> list[tuple[dt.datetime, dict[str, object]]]:
    messages = record.get("messages") if isinstance(record, dict) else None
    if not isinstance(messages, list):
        return []
    kind = "human" if rng.random() < 0.7 else "bot"
    when = START + dt.timedelta(minutes=rng.uniform(0, 7 * 24 * 60))
    rows: list[tuple[dt.datetime, dict[str, object]]] = []
    for message in messages:
        if not isinstance(message, dict) or message.get("role") not in ("user", "assistant"):
            continue
        text = message.get("content")
        if not isinstance(text, str):
            continue
        when += dt.timedelta(seconds=rng.uniform(20, 600))
        agent = message["role"] == "assistant"
        author = "agent" if agent else "customer"
        if rng.random() < 0.004:
            author = "supervisor"  # nobody mapped this one
        if rng.random() < 0.004:
            text = ""
        row: dict[str, object] = {
            "ticket_id": ticket,
            "author": author,
            "agent_kind": kind if agent else "",
            "message": text,
            "csat": "",
            "ticket_status": "",
        }
        rows.append((when, row))
    if rows:
        last = rows[-1][1]
        last["csat"] = rng.choices([1, 2, 3, 4, 5], weights=[1, 1, 2, 4, 6])[0]
        last["ticket_status"] = rng.choice(["solved"] * 6 + ["escalated", "open"])
    return rows
