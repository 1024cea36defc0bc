"""ftprep split, leakage and balance from the command line, as a user runs them."""

from __future__ import annotations

import random
from pathlib import Path

import orjson
from click.testing import CliRunner

from ftprep.cli import cli


def _write(path: Path, n: int = 600, copies: int = 40) -> Path:
    """Chats with ids; ``copies`` of them repeat an earlier prompt under a new id."""
    rng = random.Random(1)
    rows = []
    for i in range(n):
        words = " ".join(
            rng.choice(["order", "refund", "router", "login", "invoice"]) for _ in range(8)
        )
        rows.append(
            {
                "id": f"r{i}",
                "messages": [
                    {"role": "user", "content": f"Case {i}: {words} {rng.random():.8f}"},
                    {"role": "assistant", "content": f"Here is what to do about case {i}."},
                ],
                "metadata": {
                    "category": rng.choice(["billing", "billing", "billing", "tech", "returns"])
                },
            }
        )
    for k in range(copies):
        copy = dict(rows[k * 3], id=f"copy{k}")
        rows.append(copy)
    rng.shuffle(rows)
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    return path


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [*args, "--no-progress", "--workers", "1"]
                                if args[0] in ("split", "balance") else list(args))  # fmt: skip
    return result.exit_code, result.output


def test_split_then_check_for_leakage(tmp_path: Path) -> None:
    src = _write(tmp_path / "chats.jsonl")
    code, out = invoke("split", str(src), str(tmp_path / "a"), "--stratify", "metadata.category")
    assert code == 0, out
    assert "leak across splits" in out  # the copies landed in other splits: reported
    parts = [str(tmp_path / "a" / f"{n}.jsonl") for n in ("train", "validation", "test")]
    report = tmp_path / "leaks.json"
    code, out = invoke("leakage", *parts, "--json", str(report))
    assert code == 1 and "leaked record(s)" in out
    data = orjson.loads(report.read_bytes())
    assert data["leaked_records"] > 0
    assert all(p["kind"] == "exact" for p in data["pairs"])
    assert {p["a"] for p in data["pairs"]} | {p["b"] for p in data["pairs"]} <= {
        f"r{k * 3}" for k in range(40)
    } | {f"copy{k}" for k in range(40)}

    code, out = invoke("split", str(src), str(tmp_path / "b"), "--leakage", "move")
    assert code == 0 and "leak across splits" not in out
    parts = [str(tmp_path / "b" / f"{n}.jsonl") for n in ("train", "validation", "test")]
    code, out = invoke("leakage", *parts)
    assert code == 0 and "0 leaked record(s)" in out


def test_balance_caps_and_reports(tmp_path: Path) -> None:
    src = _write(tmp_path / "chats.jsonl", copies=0)
    dst = tmp_path / "balanced.jsonl"
    code, out = invoke(
        "balance", str(src), str(dst), "--max-per-class", "150", "--min-per-class", "140"
    )
    assert code == 0, out
    stats = orjson.loads((tmp_path / "balanced.stats.json").read_bytes())
    report = next(s for s in stats["steps"] if s["name"] == "balance")["report"]
    assert max(report["after"].values()) == 150
    assert min(report["after"].values()) >= 140
    assert stats["read"] + stats["added"] == stats["written"] + stats["rejected"]
