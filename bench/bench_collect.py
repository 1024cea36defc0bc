"""Benchmark ``ftprep collect logs`` on a generated log of 1M turn rows in ~200k sessions.

    .venv/bin/python bench/bench_collect.py --rows 1000000 --json bench/out/collect.json

Targets (issue 6): at least 50,000 rows/s from JSONL and 20,000 rows/s from PostgreSQL on this
machine, memory bounded by the largest session, not the log. With ``--postgres``, a throwaway
PostgreSQL server (Debian's package) is started on loopback, the same log loaded into it with
``COPY`` (``ts`` as ``timestamptz``, an index on ``(session_id, ts)`` as a real log table would
have), and ``ftprep collect sql`` reads it back through a server-side cursor. The log is ``bench/gen_logs.py``'s (sessions interleaved in time, about 1% of
rows defective), made when missing. Each measurement is a fresh ``ftprep collect logs`` process:
seconds are its wall time, peak RSS the largest sum over its process tree (sampled every 50 ms).
A run on a tenth of the log shows whether memory grows with the log. For scale, the same grouping
done the simplest way (every row in a dict of sessions, in memory, no filters or accounting) is
timed in this process.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

import orjson

from bench_clean import FTPREP, REPO, head, timed

FIELDS = [
    "--session-field", "session_id", "--timestamp-field", "ts", "--rating-field", "rating",
    "--status-field", "status", "--agent-type-field", "agent_type",
]  # fmt: skip


def ensure_log(rows: int, folder: Path) -> Path:
    path = folder / f"logs_{rows}.jsonl"
    if not path.exists():
        gen = [sys.executable, str(REPO / "bench" / "gen_logs.py"), "--rows", str(rows)]
        subprocess.run([*gen, "--out", str(path)], check=True)
    return path


def collect(log: Path, rows: int, out_dir: Path) -> dict[str, object]:
    out = out_dir / f"collect_{rows}.jsonl"
    seconds, rss, stdout = timed([*FTPREP, "collect", "logs", str(log), str(out), *FIELDS])
    stats = orjson.loads(out.with_name(out.stem + ".stats.json").read_bytes())["collect"][0]
    result = {
        "rows": rows,
        "seconds": round(seconds, 2),
        "rows_per_s": round(rows / seconds),
        "collect_seconds": stats["seconds"],
        "peak_rss_mb": round(rss),
        "conversations": stats["records"],
        "rejected_rows": stats["rejected"],
        "spilled_runs": stats["spilled_runs"],
    }
    print(json.dumps(result), flush=True)
    print(stdout.splitlines()[0], flush=True)
    return result


def postgres(log: Path, rows: int, out_dir: Path) -> dict[str, object]:
    import os

    import psycopg2

    from ftprep.collect.pgtemp import temporary_postgres

    csv_log = log.with_suffix(".csv")
    if not csv_log.exists():
        gen = [sys.executable, str(REPO / "bench" / "gen_logs.py"), "--rows", str(rows), "--csv"]
        subprocess.run([*gen, "--out", str(csv_log)], check=True)
    with temporary_postgres("bench-pw") as url:
        started = time.perf_counter()
        conn = psycopg2.connect(url.replace("postgresql+psycopg2", "postgresql"))
        with conn, conn.cursor() as cur, csv_log.open() as file:
            cur.execute(
                "CREATE TABLE chat_log (session_id text, ts double precision, sender text, "
                "text text, agent_type text, rating int, status text)"
            )
            cur.copy_expert("COPY chat_log FROM STDIN WITH (FORMAT csv, HEADER true)", file)
            cur.execute("ALTER TABLE chat_log ALTER ts TYPE timestamptz USING to_timestamp(ts)")
            cur.execute("CREATE INDEX ON chat_log (session_id, ts)")
            cur.execute("ANALYZE chat_log")
        conn.close()
        load = time.perf_counter() - started
        out = out_dir / f"collect_pg_{rows}.jsonl"
        env = {**os.environ, "DATABASE_URL": url}
        cmd = [*FTPREP, "collect", "sql", str(out), "--table", "chat_log", *FIELDS]
        seconds, rss, stdout = timed(cmd, env=env)
    stats = orjson.loads(out.with_name(out.stem + ".stats.json").read_bytes())["collect"][0]
    result = {
        "rows": rows,
        "load_seconds": round(load, 2),
        "seconds": round(seconds, 2),
        "rows_per_s": round(rows / seconds),
        "collect_seconds": stats["seconds"],
        "peak_rss_mb": round(rss),
        "conversations": stats["records"],
        "rejected_rows": stats["rejected"],
    }
    print(json.dumps(result), flush=True)
    print(stdout.splitlines()[0], flush=True)
    return result


def naive_group(log: Path) -> dict[str, object]:
    """Every row in a dict of sessions, then each session sorted by time: no filters, no
    rejects, memory growing with the log."""
    started = time.perf_counter()
    sessions: dict[str, list[tuple[float, str, str]]] = {}
    with log.open("rb") as file:
        for line in file:
            try:
                row = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue
            sessions.setdefault(row["session_id"], []).append(
                (row["ts"], row["sender"], row["text"])
            )
    count = 0
    for turns in sessions.values():
        turns.sort(key=lambda t: t[0])
        count += 1
    seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 2), "sessions": count}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path, default=REPO / "bench" / "data")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out")
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--postgres", action="store_true", help="also from PostgreSQL")
    parser.add_argument("--skip-jsonl", action="store_true", help="only PostgreSQL")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    log = ensure_log(args.rows, args.data)
    results: dict[str, object] = {
        "machine": platform.platform(),
        "python": platform.python_version(),
    }
    if not args.skip_jsonl:
        results["tenth"] = collect(head(log, args.rows // 10), args.rows // 10, args.out)
        results["full"] = collect(log, args.rows, args.out)
        results["naive_dict_grouping"] = naive_group(log)
        print(json.dumps(results["naive_dict_grouping"]))
    if args.postgres:
        results["postgres"] = postgres(log, args.rows, args.out)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
