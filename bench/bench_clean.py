"""Benchmark ``ftprep clean`` (the default cleaning preset) with 1 and with 2 workers.

    .venv/bin/python bench/bench_clean.py --records 1000000 --json bench/out/clean_1m.json

Targets (issue 3): at least 5,000 records/s per core; 2 workers close to twice 1 worker; peak RSS
(the whole process tree: the parent and its workers) under 1 GB whatever the input size.

The data is ``bench/gen_chat.py``'s clean synthetic chats (``bench/data/chat_{N}.jsonl``, made when
missing). Each measurement is a fresh ``ftprep clean IN OUT --workers W --no-progress`` process;
seconds are its wall time; peak RSS is the largest sum of the RSS of the process tree, sampled every
50 ms. A run on a tenth of the file shows whether memory grows with the input. Before each
measurement a fixed reference workload that uses no ftprep code is timed (:data:`REFERENCE`), so
that figures taken at different moments of this noisy machine can be compared.

The peer: datatrove's cleaning steps (``bench/clean_peers.py``) and ``ftprep clean`` with one
worker, one after the other, on the first ``--peer-records`` records (datatrove runs about a
hundred records a second here, so not on the whole file): their ratio holds when the machine's
speed does not.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import platform
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent
FTPREP = [sys.executable, "-c", "from ftprep.cli import main; main()"]
MB = 1024 * 1024


@dataclass
class Measure:
    label: str
    records: int
    workers: int
    seconds: float
    records_per_s: float
    per_core: float
    peak_rss_mb: float
    written: int
    #: seconds of the fixed reference workload run just before (see :func:`reference`)
    reference_s: float


def tree_rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            continue
    return total


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Wall seconds, peak tree RSS in MB, stdout."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    watched = psutil.Process(proc.pid)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            with contextlib.suppress(psutil.Error):
                peak = max(peak, tree_rss(watched))
            time.sleep(0.05)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    out, err = proc.communicate()
    seconds = time.perf_counter() - started
    done.set()
    thread.join()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err.decode()}")
    return seconds, peak / MB, out.decode()


#: A fixed workload of the same kind as the steps (JSON decoding, lower-casing, substring tests, a
#: regex, splitting and joining) that uses no ftprep code: its time tells how fast the machine
#: was at that moment, so runs taken at different times can be compared (this machine's speed
#: drifts by up to 25% within an hour).
REFERENCE = """
import re, sys, time, orjson
pattern = re.compile(r"\\b(?:order|refund|ship\\w*)\\b", re.IGNORECASE)
with open(sys.argv[1], "rb") as file:
    lines = [line for _, line in zip(range(20000), file)]
best = float("inf")
for _ in range(3):
    started = time.perf_counter()
    n = 0
    for line in lines:
        for m in orjson.loads(line)["messages"]:
            text = m.get("content") or ""
            low = text.lower() if isinstance(text, str) else ""
            n += ("error" in low) + len(pattern.findall(low)) + len(" ".join(low.split()))
    best = min(best, time.perf_counter() - started)
print(best)
"""


def reference(data: Path) -> float:
    """Seconds of :data:`REFERENCE` on the first 20k lines of ``data`` (best of three)."""
    done = subprocess.run(
        [sys.executable, "-c", REFERENCE, str(data)], check=True, capture_output=True
    )
    return float(done.stdout)


def ensure_data(records: int, folder: Path) -> Path:
    path = folder / f"chat_{records}.jsonl"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        gen = [sys.executable, str(REPO / "bench" / "gen_chat.py"), str(path), "--n", str(records)]
        subprocess.run(gen, check=True)
    return path


def head(path: Path, lines: int) -> Path:
    small = path.with_name(f"{path.stem}_head{lines}.jsonl")
    if not small.exists():
        with open(path, "rb") as src, open(small, "wb") as dst:
            for _, line in zip(range(lines), src, strict=False):
                dst.write(line)
    return small


def measure(label: str, data: Path, records: int, workers: int, out_dir: Path) -> Measure:
    out = out_dir / f"clean_{label}_{workers}.jsonl"
    ref = reference(data)
    cmd = [*FTPREP, "clean", str(data), str(out), "--workers", str(workers), "--no-progress"]
    seconds, rss, stdout = timed(cmd)
    with open(out, "rb") as file:
        written = sum(1 for _ in file)
    rate = records / seconds
    m = Measure(
        label,
        records,
        workers,
        round(seconds, 2),
        round(rate),
        round(rate / workers),
        round(rss),
        written,
        round(ref, 3),
    )
    print(
        f"{label:>6} workers={workers} {seconds:8.2f} s {rate:9,.0f} rec/s "
        f"({rate / workers:,.0f}/core) peak RSS {rss:6.0f} MB written {written:,} "
        f"(reference workload {ref:.3f} s)",
        flush=True,
    )
    print(stdout, flush=True)
    return m


def measure_peer(data: Path, records: int, out_dir: Path) -> dict[str, object]:
    """datatrove's steps and ``ftprep clean`` (1 worker) on ``data``: seconds, records/s."""
    work = out_dir / "datatrove"
    ref = reference(data)
    cmd = [
        sys.executable,
        str(REPO / "bench" / "clean_peers.py"),
        "datatrove",
        str(data),
        str(work),
    ]
    seconds, rss, stdout = timed(cmd)
    peer = json.loads(stdout.strip().splitlines()[-1])
    ours = measure("peer", data, records, 1, out_dir)
    result = {
        "records": records,
        "datatrove_s": round(seconds, 2),
        "datatrove_rec_s": round(records / seconds),
        "datatrove_peak_rss_mb": round(rss),
        "datatrove_kept": peer["kept"],
        "datatrove_dropped": peer["dropped"],
        "datatrove_steps_s": peer["steps"],
        "ftprep_s": ours.seconds,
        "ftprep_rec_s": ours.records_per_s,
        "ratio": round(seconds / ours.seconds, 1),
        "reference_s": round(ref, 3),
    }
    print(
        f"  peer datatrove {seconds:8.2f} s {records / seconds:9,.0f} rec/s peak RSS {rss:6.0f} MB "
        f"kept {peer['kept']:,} dropped {peer['dropped']:,}; ftprep {ours.seconds} s: "
        f"ftprep {result['ratio']}x faster; datatrove's steps (s): {peer['steps']}",
        flush=True,
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path, default=REPO / "bench" / "data")
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of each measurement, alternated (best kept)"
    )
    parser.add_argument(
        "--peer-records",
        type=int,
        default=10_000,
        help="records of the datatrove comparison (0: no comparison)",
    )
    args = parser.parse_args()
    data = ensure_data(args.records, args.data)
    tenth = head(data, args.records // 10)
    runs: dict[tuple[str, int], list[Measure]] = {}
    with tempfile.TemporaryDirectory(dir=args.data) as tmp:
        for _ in range(args.repeat):  # alternated, so that a noisy minute hits one of each
            for workers in (int(w) for w in args.workers.split(",")):
                m = measure("full", data, args.records, workers, Path(tmp))
                runs.setdefault(("full", workers), []).append(m)
            m = measure("tenth", tenth, args.records // 10, 2, Path(tmp))
            runs.setdefault(("tenth", 2), []).append(m)
        peer = (
            measure_peer(head(data, args.peer_records), args.peer_records, Path(tmp))
            if (args.peer_records)
            else None
        )
    results = [min(ms, key=lambda m: m.seconds) for ms in runs.values()]
    for m in results:
        print(
            f"best of {args.repeat}: {m.label} workers={m.workers} {m.seconds} s "
            f"{m.records_per_s:,} rec/s ({m.per_core:,}/core) peak RSS {m.peak_rss_mb} MB"
        )
    full = {m.workers: m for m in results if m.label == "full"}
    if 1 in full and 2 in full:
        print(f"speed-up 2 workers / 1 worker: {full[1].seconds / full[2].seconds:.2f}x")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        meta = {
            "machine": platform.platform(),
            "cpus": psutil.cpu_count(),
            "python": platform.python_version(),
            "bytes": data.stat().st_size,
            "repeat": args.repeat,
        }
        every = [asdict(m) for ms in runs.values() for m in ms]
        args.json.write_text(
            json.dumps(
                {
                    "meta": meta,
                    "results": [asdict(m) for m in results],
                    "runs": every,
                    "peer": peer,
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
