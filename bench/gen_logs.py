"""Generate a production-style interaction log: turn rows of many sessions, interleaved in time.

    .venv/bin/python bench/gen_logs.py --rows 1000000 --out bench/data/logs_1m.jsonl

Each session has a customer and an agent (human or bot) taking turns, 2-10 rows; sessions start
at random moments over a month and their rows are written in time order, so a session's rows are
scattered through the file as in a real log. A rating and a status come with a session's last
row; about 1% of rows have a defect (no text, an unknown sender, a broken line). ``--csv`` writes
CSV instead of JSONL.
"""

from __future__ import annotations

import argparse
import csv
import heapq
import random
from pathlib import Path

import orjson

REPO = Path(__file__).resolve().parent.parent
START = 1_714_521_600  # 2024-05-01T00:00:00Z
QUESTIONS = [
    "My order {n} has not arrived yet, can you check?",
    "How do I reset the password on my account?",
    "The app crashes when I open the settings page.",
    "Can I change the delivery address for order {n}?",
    "I was charged twice for invoice {n}.",
    "Do you ship to Canada, and how long does it take?",
]
ANSWERS = [
    "I'm sorry about that. Order {n} left our warehouse yesterday and should arrive in two days.",
    "Open Settings, choose Security, then Reset password; a link is sent to your email.",
    "Thanks for reporting it. Please update to version 4.2, which fixes that crash.",
    "Yes, until it ships: open the order, choose Edit address and save the new one.",
    "I see the double charge on invoice {n}; the refund is on its way, 3-5 business days.",
    "We do: standard shipping to Canada takes 5-8 business days.",
]


def sessions(rows: int, rng: random.Random) -> list[list[dict[str, object]]]:
    out = []
    made = 0
    k = 0
    while made < rows:
        k += 1
        n = min(rng.randint(2, 8), rows - made)
        t = START + rng.random() * 30 * 86400
        agent = "human" if rng.random() < 0.6 else "bot"
        session = []
        for i in range(n):
            t += rng.uniform(5, 120)
            who = "customer" if i % 2 == 0 else "agent"
            pool = QUESTIONS if who == "customer" else ANSWERS
            row: dict[str, object] = {
                "session_id": f"sess-{k:07d}",
                "ts": t,
                "sender": who,
                "text": rng.choice(pool).format(n=rng.randint(10000, 99999)),
                "agent_type": agent if who == "agent" else None,
            }
            if rng.random() < 0.01:
                row["sender" if rng.random() < 0.5 else "text"] = None
            session.append(row)
        session[-1]["rating"] = rng.randint(1, 5)
        session[-1]["status"] = rng.choice(["resolved", "resolved", "escalated", "abandoned"])
        out.append(session)
        made += n
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--csv", action="store_true")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    ext = "csv" if args.csv else "jsonl"
    out = args.out or REPO / "bench" / "data" / f"logs_{args.rows}.{ext}"
    out.parent.mkdir(parents=True, exist_ok=True)
    merged = heapq.merge(*sessions(args.rows, rng), key=lambda r: r["ts"])
    fields = ["session_id", "ts", "sender", "text", "agent_type", "rating", "status"]
    with out.open("w", newline="") as file:
        writer = csv.DictWriter(file, fields) if args.csv else None
        if writer:
            writer.writeheader()
        for i, row in enumerate(merged):
            row["ts"] = round(float(row["ts"]), 3)  # type: ignore[arg-type]
            if writer:
                writer.writerow(row)
            elif i % 997 == 0:
                file.write(orjson.dumps(row).decode()[:-7] + "\n")  # a line cut short
            else:
                file.write(orjson.dumps(row).decode() + "\n")
    print(out)


if __name__ == "__main__":
    main()
