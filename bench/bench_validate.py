"""Benchmark ``ftprep validate`` against a bare ``orjson.loads`` loop over the same JSONL file.

    .venv/bin/python bench/bench_validate.py --records 1000000 --data bench/data --repeat 1 \
        --workers 1,2,auto --json bench/out/validate.json

Target (issue): ``ftprep validate --no-tokens`` on 1M generated chat records (~1.7 GB) runs at
>= 60% of the speed of the baseline measured in the same run (ratio = baseline s / command s),
and peak RSS stays flat in file size (< 500 MB for the 1.7 GB file).

The data is made with ``bench/gen_chat.py`` (``bench/data/chat_{N}.jsonl``) when missing; a
file of the first N/10 lines is cut from it for the RSS-flatness check. Every measurement
runs in its own subprocess; seconds are its wall time (interpreter start-up included; the
"1 line" row shows ftprep's start-up alone). Peak RSS is the larger of the exact max RSS of
the command's largest process (GNU ``/usr/bin/time -f %M``, when installed) and the summed
RSS of its process tree polled every 50 ms (so worker processes count). With ``--repeat`` > 1
the fastest run and the largest RSS are kept. Every file is read once before measuring so
that every command sees a warm page cache. Only rows on the full file get a ratio. On a shared
machine, ``--wait-idle S`` waits (up to S seconds) for a quiet 2-second window before each run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import orjson
import psutil

REPO = Path(__file__).resolve().parent.parent
GEN = REPO / "bench" / "gen_chat.py"
POLL_S = 0.25
MB = 1024 * 1024
TIME_BIN = "/usr/bin/time" if Path("/usr/bin/time").exists() else None  # GNU time: -f %M
BASELINE = 'import orjson,sys\nfor line in open(sys.argv[1], "rb"): orjson.loads(line)'


@dataclass
class Result:
    """One measured command."""

    name: str
    argv: list[str]
    file: str
    records: int
    bytes: int
    seconds: float
    peak_rss_mb: float
    time_maxrss_mb: float
    polled_tree_rss_mb: float
    returncode: int
    ratio_vs_baseline: float | None = None

    @property
    def mb_per_s(self) -> float:
        return self.bytes / MB / self.seconds if self.seconds else 0.0

    @property
    def records_per_s(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0


def ftprep_exe() -> str:
    """The ``ftprep`` console script of the repository's virtualenv (else the one on PATH)."""
    local = REPO / ".venv" / "bin" / "ftprep"
    if local.exists():
        return str(local)
    found = shutil.which("ftprep")
    if found is None:
        sys.exit("ftprep executable not found (.venv/bin/ftprep or PATH)")
    return found


def machine_info() -> dict[str, str]:
    """nproc, CPU model, python and orjson versions."""
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "nproc": str(nproc),
        "cpu": model,
        "python": f"{platform.python_version()} ({sys.executable})",
        "orjson": orjson.__version__,
        "platform": platform.platform(),
    }


def ensure_data(data: Path, n: int) -> Path:
    """Return ``data/chat_{n}.jsonl``, generating it with ``bench/gen_chat.py`` when missing."""
    data.mkdir(parents=True, exist_ok=True)
    path = data / f"chat_{n}.jsonl"
    if path.exists():
        return path
    tmp = path.with_suffix(".jsonl.tmp")
    print(f"generating {path} ({n} records) ...", flush=True)
    cmd = [sys.executable, str(GEN), str(tmp), "--n", str(n), "--seed", "0"]
    subprocess.run(cmd, check=True)
    tmp.replace(path)
    return path


def ensure_head(src: Path, n: int) -> Path:
    """Return a file holding the first ``n`` lines of ``src`` (made once, next to it)."""
    path = src.with_name(f"{src.stem}_head{n}.jsonl")
    if path.exists():
        return path
    tmp = path.with_suffix(".jsonl.tmp")
    with src.open("rb") as fin, tmp.open("wb", buffering=MB) as fout:
        for i, line in enumerate(fin):
            if i >= n:
                break
            fout.write(line)
    tmp.replace(path)
    return path


def count_lines(path: Path) -> int:
    """Count lines by reading the whole file in 16 MB blocks (this also warms the page cache)."""
    lines = 0
    with path.open("rb", buffering=0) as f:
        while block := f.read(16 * MB):
            lines += block.count(b"\n")
    return lines


def tree_rss(proc: psutil.Process, skip_self: bool) -> int:
    """Summed RSS in bytes of ``proc``'s descendants (and ``proc`` unless ``skip_self``)."""
    try:
        members = proc.children(recursive=True)
    except psutil.Error:
        return 0
    if not skip_self:
        members.insert(0, proc)
    total = 0
    for member in members:
        with contextlib.suppress(psutil.Error):
            total += member.memory_info().rss
    return total


def run_measured(argv: list[str]) -> tuple[float, float, float, int]:
    """Run ``argv`` (stdout to /dev/null); return seconds, max-RSS MB, polled tree MB, rc.

    Max RSS comes from GNU ``/usr/bin/time`` when present: the child's own ``ru_maxrss`` read
    in this process would start at *our* RSS, since Linux carries the pre-exec high-water mark
    of a forked child over. Without it, max RSS is 0 and only the polled tree counts.
    """
    wrapped = TIME_BIN is not None
    with tempfile.NamedTemporaryFile("r", suffix=".maxrss") as out:
        full = [TIME_BIN, "-f", "%M", "-o", out.name, *argv] if TIME_BIN else argv
        start = time.perf_counter()
        popen = subprocess.Popen(full, stdout=subprocess.DEVNULL)
        peak = [0]
        done = threading.Event()
        poller = threading.Thread(target=poll_rss, args=(popen.pid, wrapped, peak, done))
        poller.start()
        rc = popen.wait()  # blocking here, not in the poll loop, keeps the wall time exact
        seconds = time.perf_counter() - start
        done.set()
        poller.join()
        text = out.read().strip().splitlines()
    kib = int(text[-1]) if wrapped and text and text[-1].isdigit() else 0
    return seconds, kib * 1024 / MB, peak[0] / MB, rc


def poll_rss(pid: int, skip_self: bool, peak: list[int], done: threading.Event) -> None:
    """Every POLL_S until ``done``, raise ``peak[0]`` to the process tree's summed RSS."""
    try:
        proc = psutil.Process(pid)
    except psutil.Error:
        return
    while not done.is_set():
        peak[0] = max(peak[0], tree_rss(proc, skip_self))
        done.wait(POLL_S)


def wait_idle(limit_s: float) -> bool:
    """Wait up to ``limit_s`` for a 2-second window in which the machine is at least 90% idle.

    On a shared machine other users' jobs take cores away, which hurts a run with workers most;
    waiting for a quiet window before each run keeps that out of the figures.
    """
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if psutil.cpu_percent(interval=2.0) < 10.0:
            return True
    return False


def measure(
    name: str, argv: list[str], path: Path, records: int, repeat: int, idle_s: float = 0.0
) -> Result:
    """Run a command ``repeat`` times; keep the fastest time and the largest peak RSS."""
    best: Result | None = None
    for _ in range(repeat):
        if idle_s and not wait_idle(idle_s):
            print(f"  (machine still busy after {idle_s:.0f} s; measuring anyway)", flush=True)
        seconds, maxrss, polled, rc = run_measured(argv)
        if rc not in (0, 1):  # ftprep validate: 1 means findings with errors, still a full run
            sys.exit(f"{name}: exit status {rc} from {' '.join(argv)}")
        run = Result(
            name, argv, str(path), records, path.stat().st_size, seconds,
            max(maxrss, polled), maxrss, polled, rc,
        )  # fmt: skip
        if best is None:
            best = run
        else:
            best.seconds = min(best.seconds, run.seconds)
            best.peak_rss_mb = max(best.peak_rss_mb, run.peak_rss_mb)
            best.time_maxrss_mb = max(best.time_maxrss_mb, run.time_maxrss_mb)
            best.polled_tree_rss_mb = max(best.polled_tree_rss_mb, run.polled_tree_rss_mb)
        print(f"  {name}: {seconds:.2f}s peak {max(maxrss, polled):.0f} MB", flush=True)
    assert best is not None
    return best


def supports_workers(exe: str) -> bool:
    """Whether ``ftprep validate`` has a ``--workers`` option."""
    out = subprocess.run([exe, "validate", "--help"], capture_output=True, text=True, check=False)
    return "--workers" in out.stdout


def plan(exe: str, files: dict[str, Path], workers: list[str]) -> list[tuple[str, list[str], Path]]:
    """The commands to measure: (name, argv, file); ``files`` has "big", "small" and "one".

    ``validate --no-tokens`` runs once per ``workers`` entry; the other rows use the default
    (``--workers auto``).
    """
    big, small, one = files["big"], files["small"], files["one"]
    base = [sys.executable, "-c", BASELINE]
    validate = [exe, "validate"]
    cmds: list[tuple[str, list[str], Path]] = [("baseline orjson.loads", [*base, str(big)], big)]
    if supports_workers(exe):
        for w in workers:
            argv = [*validate, str(big), "--no-tokens", "--json", "--workers", str(w)]
            cmds.append((f"validate --no-tokens --workers {w}", argv, big))
    else:
        print("note: ftprep validate has no --workers option; measuring it once", flush=True)
        cmds.append(("validate --no-tokens", [*validate, str(big), "--no-tokens", "--json"], big))
    cmds.append(("validate (approx tokens, default workers)", [*validate, str(big), "--json"], big))
    small_argv = [*validate, str(small), "--no-tokens", "--json"]
    cmds.append(("validate --no-tokens (1/10 file)", small_argv, small))
    one_argv = [*validate, str(one), "--no-tokens", "--json"]
    cmds.append(("validate --no-tokens (1 line: start-up)", one_argv, one))
    return cmds


def print_table(results: list[Result]) -> None:
    """Print the results table."""
    header = f"{'command':<44} {'file':<32} {'seconds':>8} {'MB/s':>8} {'records/s':>11} {'ratio':>6} {'peak RSS MB':>12}"
    print(header)
    print("-" * len(header))
    for r in results:
        ratio = f"{r.ratio_vs_baseline:.2f}" if r.ratio_vs_baseline is not None else "-"
        print(
            f"{r.name:<44} {Path(r.file).name:<32} {r.seconds:>8.2f} {r.mb_per_s:>8.1f} "
            f"{r.records_per_s:>11,.0f} {ratio:>6} {r.peak_rss_mb:>12.0f}"
        )


def run_all(args: argparse.Namespace) -> tuple[dict[str, str], list[Result]]:
    """Prepare the data, measure every command, fill in the ratios."""
    info = machine_info()
    for key, value in info.items():
        print(f"{key}: {value}")
    big = ensure_data(args.data, args.records)
    files = {
        "big": big,
        "small": ensure_head(big, max(args.records // 10, 1)),
        "one": ensure_head(big, 1),
    }
    sizes = {path: count_lines(path) for path in files.values()}  # also warms the page cache
    for path, lines in sizes.items():
        print(f"file: {path} lines={lines} size={path.stat().st_size / MB:,.1f} MB")
    exe = ftprep_exe()
    results = [
        measure(name, argv, path, sizes[path], args.repeat, args.wait_idle)
        for name, argv, path in plan(exe, files, args.workers)
    ]
    baseline = results[0]  # on the big file only, so only big-file rows get a ratio
    for r in results:
        if r.file == baseline.file and r.seconds:
            r.ratio_vs_baseline = baseline.seconds / r.seconds
    return info, results


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000, help="records in the file")
    parser.add_argument("--data", type=Path, default=REPO / "bench" / "data", help="data folder")
    parser.add_argument("--repeat", type=int, default=1, help="runs per command (best kept)")
    parser.add_argument(
        "--workers", default="1,2,auto", help="worker counts (or auto), if --workers exists"
    )
    parser.add_argument("--json", type=Path, default=None, help="write results to this file")
    parser.add_argument(
        "--wait-idle",
        type=float,
        default=0.0,
        metavar="S",
        help="before each run, wait up to S seconds for the machine to be idle (shared machines)",
    )
    args = parser.parse_args(argv)
    if args.records < 10 or args.repeat < 1:
        parser.error("--records must be >= 10 and --repeat >= 1")
    args.workers = [w.strip() for w in args.workers.split(",") if w.strip()]
    if not all(w == "auto" or (w.isdigit() and int(w) > 0) for w in args.workers):
        parser.error("--workers takes comma-separated positive integers or auto, e.g. 1,2,auto")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    info, results = run_all(args)
    print()
    print_table(results)
    print()
    small = next(r for r in results if r.name.endswith("(1/10 file)"))
    for r in results[1:]:
        if r.name.startswith("validate --no-tokens") and r.file == results[0].file:
            print(
                f"{r.name}: ratio {r.ratio_vs_baseline or 0.0:.2f} (target >= 0.60); peak RSS "
                f"{r.peak_rss_mb:.0f} MB (full) vs {small.peak_rss_mb:.0f} MB (1/10 file) "
                "(target: flat, < 500 MB)"
            )
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        rows = [
            {**asdict(r), "mb_per_s": r.mb_per_s, "records_per_s": r.records_per_s} for r in results
        ]
        payload = {
            "machine": info,
            "records": args.records,
            "repeat": args.repeat,
            "wait_idle_s": args.wait_idle,
            "results": rows,
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
