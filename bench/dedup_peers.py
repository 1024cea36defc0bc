"""What ``bench_dedup.py`` measures ftprep against, and how it measures a run.

- datasketch, in this process: ``MinHash`` signatures (with ``bulk`` and one by one) and a
  ``MinHashLSH`` index, each record queried and its candidates checked against the threshold.
- datatrove, in a subprocess (``python bench/dedup_peers.py datatrove ...``): its four MinHash
  stages (signature, buckets, cluster, filter), each a ``LocalPipelineExecutor``, over the
  benchmark file cut into parts (stage 1 and 4 give each task whole files). Its word tokenizer is
  replaced by a whitespace split and its text normalization turned off, and each document's text
  is :func:`normalize` of the user and assistant turns: the shingles are the truth's.
- ftprep's phases, in a subprocess (``python bench/dedup_peers.py phases RECIPE``): the recipe run
  in-process, as ``ftprep run`` does, with each segment's shard map, each global step's decision
  and the final join timed. The timed runs use the plain CLI; this one only splits the time.
- an ftprep run's decisions, read back: each rejected duplicate joined with the record its
  ``value`` names as kept, and the kept records' ``metadata.near_dup`` marks checked.
- a subprocess's wall time and the peak RSS of its process tree (:func:`timed`), after waiting
  for the machine to be idle (:func:`wait_idle`).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib
import importlib.metadata
import json
import os
import platform
import re
import resource
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import psutil

from dup_truth import conversation_text, shingles

try:
    from datatrove.utils.word_tokenizers import WordTokenizer
except ImportError:  # datatrove is optional: only its run needs it
    WordTokenizer = object  # type: ignore[misc, assignment]

BENCH = Path(__file__).resolve().parent
NUM_PERM = 128
SEED = 1
NGRAM = 5
POLL_S = 0.25
MB = 1024 * 1024
IDLE_PERCENT = 15.0
IDLE_WAIT_S = 60.0
LINE_REF = re.compile(r"(?:^|:)(\d+)$")  # "file:line" -> line


class UnionFind:
    """Union-find over string keys."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        parent = self.parent
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while x != root:
            parent[x], x = root, parent.get(x, root)
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def clusters(self) -> list[list[str]]:
        groups: dict[str, list[str]] = {}
        for x in list(self.parent):
            groups.setdefault(self.find(x), []).append(x)
        for root, members in groups.items():
            if root not in members:
                members.append(root)
        return [g for g in groups.values() if len(g) > 1]


def normalize(text: str) -> str:
    """What ``minhash_matrix`` expects (and the step's Normalizer gives on ASCII text): case
    folded, words one space apart."""
    return " ".join(text.casefold().split())


# -- measuring a run ------------------------------------------------------------------------------


def wait_idle(limit: float = IDLE_PERCENT, most: float = IDLE_WAIT_S) -> float:
    """Wait (up to ``most`` seconds) until the CPUs are less than ``limit`` % busy over 2 s;
    the last reading."""
    deadline = time.monotonic() + most
    busy = psutil.cpu_percent(interval=2)
    while busy >= limit and time.monotonic() < deadline:
        busy = psutil.cpu_percent(interval=2)
    return busy


def cpu_and_wall(fn: Callable[[], Any]) -> tuple[float, float]:
    """CPU and wall seconds of one call of ``fn``."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.process_time() - cpu, time.perf_counter() - wall


def tree_usage(proc: psutil.Process, cpu: dict[int, float]) -> int:
    """Summed RSS in bytes of ``proc`` and its descendants; records each one's CPU seconds so
    far in ``cpu`` (by pid)."""
    total = 0
    with contextlib.suppress(psutil.Error):
        for p in [proc, *proc.children(recursive=True)]:
            with contextlib.suppress(psutil.Error), p.oneshot():
                total += p.memory_info().rss
                times = p.cpu_times()
                cpu[p.pid] = max(cpu.get(p.pid, 0.0), times.user + times.system)
    return total


def _busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy (every CPU, any process)."""
    t = psutil.cpu_times()
    return sum(t) - t.idle - getattr(t, "iowait", 0.0)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(cmd: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``cmd`` once the machine is idle: wall seconds, peak tree RSS in MB (polled every
    ``POLL_S``), exit status, the CPU busy share before the start, the tree's CPU seconds, the
    CPU seconds the rest of the machine took meanwhile (other users), and stderr's tail."""
    busy = wait_idle()
    start, machine, children = time.perf_counter(), _busy_seconds(), _children_cpu()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    watched, peak, cpu, done = psutil.Process(proc.pid), [0], {}, threading.Event()

    def poll() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_usage(watched, cpu))
            done.wait(POLL_S)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    _, err = proc.communicate()
    seconds = time.perf_counter() - start
    done.set()
    poller.join()
    own = max(_children_cpu() - children, sum(cpu.values()))
    return {
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(peak[0] / MB),
        "rc": proc.returncode,
        "cpu_busy_before": busy,
        "cpu_s": round(own, 2),
        "other_cpu_s": round(max(_busy_seconds() - machine - own, 0.0), 2),
        "stderr": err.decode(errors="replace")[-2000:],
    }


def best_of(cmd: list[str], repeat: int, env: dict[str, str] | None = None) -> dict[str, Any]:
    """``timed(cmd)`` ``repeat`` times (stopping at a failure): the fastest run, every run's
    seconds, and the largest peak RSS."""
    runs = []
    for _ in range(repeat):
        runs.append(timed(cmd, env))
        if runs[-1]["rc"] != 0:
            return runs[-1]
    best = min(runs, key=lambda r: r["seconds"])
    return {
        **best,
        "all_seconds": [r["seconds"] for r in runs],
        "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
    }


def machine_info() -> dict[str, str]:
    """nproc, CPU model, Python and the versions of the libraries measured."""
    model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    info = {
        "nproc": str(len(os.sched_getaffinity(0))),
        "cpu": model,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_avg_1m": f"{os.getloadavg()[0]:.2f}",
    }
    for lib in ("numpy", "datasketch", "datatrove", "rensa", "orjson", "xxhash"):
        try:
            info[lib] = importlib.metadata.version(lib)
        except importlib.metadata.PackageNotFoundError:
            info[lib] = "not installed"
    return info


def source_fingerprint() -> dict[str, str]:
    """The first 12 hex digits of the sha256 of each of ftprep's engine and dedup modules: which
    code was measured (others may edit it meanwhile)."""
    import ftprep

    root = Path(ftprep.__file__).parent
    files = sorted([*(root / "engine").glob("*.py"), *(root / "steps" / "dedup").glob("*.py")])
    return {
        str(f.relative_to(root)): hashlib.sha256(f.read_bytes()).hexdigest()[:12] for f in files
    }


def peer_command(*args: str) -> tuple[list[str], dict[str, str]]:
    """The command and environment that run this module's ``main`` with ``args`` (imported as
    ``dedup_peers``, so that worker processes can unpickle what it defines)."""
    code = "import sys; from dedup_peers import main; sys.exit(main(sys.argv[1:]))"
    path = os.pathsep.join(filter(None, [str(BENCH), os.environ.get("PYTHONPATH")]))
    return [sys.executable, "-c", code, *args], {**os.environ, "PYTHONPATH": path}


# -- reading an ftprep run's decisions ------------------------------------------------------------


def reject_clusters(rejects: Path, uf: UnionFind) -> Counter[str]:
    """Join each rejected duplicate (``near_duplicate`` or ``duplicate``) with the record kept in
    its place; the count of each code, and of ``near_duplicate`` rejects per kept id."""
    counts: Counter[str] = Counter()
    with rejects.open("rb") as f:
        for line in f:
            rej = orjson.loads(line)
            code = rej.get("code")
            if code not in ("near_duplicate", "duplicate"):
                continue
            counts[code] += 1
            kept = _kept_id(str(rej["value"]))
            uf.union(_record_id(rej), kept)
            if code == "near_duplicate":
                counts[f"named:{kept}"] += 1
    return counts


def marked(output: Path, uf: UnionFind, named: Counter[str]) -> dict[str, int]:
    """Join each kept record's ``metadata.near_dup`` cluster id with it; count the marks, and
    those whose size is not 1 + the ``near_duplicate`` rejects naming the record."""
    marks = mismatched = 0
    with output.open("rb") as f:
        for line in f:
            if b'"near_dup"' not in line:
                continue
            rec = orjson.loads(line)
            mark = rec.get("metadata", {}).get("near_dup")
            if not isinstance(mark, dict):
                continue
            marks += 1
            uf.union(str(rec["id"]), str(mark["cluster"]))
            mismatched += mark["size"] != 1 + named[f"named:{rec['id']}"]
    return {"marked": marks, "mark_size_mismatch": mismatched}


def _record_id(rej: dict[str, Any]) -> str:
    record = rej.get("record")
    if isinstance(record, str):
        with contextlib.suppress(orjson.JSONDecodeError):
            record = orjson.loads(record)
    if isinstance(record, dict) and "id" in record:
        return str(record["id"])
    return f"r{int(rej['line']):07d}"  # generated ids are the 1-based line number


def _kept_id(value: str) -> str:
    if re.fullmatch(r"r\d{7}", value):
        return value
    m = LINE_REF.search(value)  # "file:line"
    return f"r{int(m.group(1)):07d}" if m else value


# -- datasketch -----------------------------------------------------------------------------------


def shingle_bytes(text: str) -> list[bytes]:
    return [s.encode("utf-8") for s in shingles(text, NGRAM)]


def datasketch_speed(texts: list[str]) -> dict[str, Any]:
    """Signatures per second from text (shingling included), with ``bulk`` and one by one; one
    thread, so per second is per core."""
    from datasketch import MinHash

    start = time.perf_counter()
    MinHash.bulk((shingle_bytes(t) for t in texts), num_perm=NUM_PERM, seed=SEED)
    bulk = time.perf_counter() - start
    start = time.perf_counter()
    for t in texts:
        m = MinHash(num_perm=NUM_PERM, seed=SEED)
        m.update_batch(shingle_bytes(t))
    single = time.perf_counter() - start
    start = time.perf_counter()
    for t in texts:
        shingle_bytes(t)
    shingling = time.perf_counter() - start
    return {
        "docs": len(texts),
        "bulk_docs_per_s": round(len(texts) / bulk),
        "per_doc_docs_per_s": round(len(texts) / single),
        "shingling_only_docs_per_s": round(len(texts) / shingling),
    }


def datasketch_dedup(texts: dict[str, str], threshold: float) -> tuple[list[list[str]], dict]:
    """Clusters found by datasketch MinHash LSH, and timings."""
    from datasketch import MinHash, MinHashLSH

    ids = list(texts)
    start = time.perf_counter()
    sigs = MinHash.bulk((shingle_bytes(texts[i]) for i in ids), num_perm=NUM_PERM, seed=SEED)
    signed = time.perf_counter()
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    with lsh.insertion_session() as session:
        for key, m in zip(ids, sigs, strict=True):
            session.insert(key, m)
    inserted = time.perf_counter()
    sig_of = dict(zip(ids, sigs, strict=True))
    uf, candidates, kept = UnionFind(), 0, 0
    for key, m in zip(ids, sigs, strict=True):
        for other in lsh.query(m):
            if other > key:
                candidates += 1
                if m.jaccard(sig_of[other]) >= threshold:
                    kept += 1
                    uf.union(key, other)
    done = time.perf_counter()
    info = {
        "records": len(ids),
        "bands": lsh.b,
        "rows": lsh.r,
        "signature_s": round(signed - start, 2),
        "insert_s": round(inserted - signed, 2),
        "query_verify_s": round(done - inserted, 2),
        "total_s": round(done - start, 2),
        "docs_per_s": round(len(ids) / (done - start)),
        "candidate_pairs": candidates,
        "verified_pairs": kept,
    }
    return uf.clusters(), info


def datasketch_matrix(texts: list[str]) -> np.ndarray:
    from datasketch import MinHash

    sigs = MinHash.bulk((shingle_bytes(t) for t in texts), num_perm=NUM_PERM, seed=SEED)
    return np.array([m.hashvalues for m in sigs])


# -- datatrove ------------------------------------------------------------------------------------


def split_parts(data: Path, parts: int) -> Path:
    """``data`` cut into ``parts`` files of consecutive lines (``DATA.parts{n}/part_NN.jsonl``),
    made once: datatrove gives each task whole files."""
    folder = data.with_name(f"{data.stem}.parts{parts}")
    done = folder / ".complete"
    if done.exists() and done.read_text() == str(data.stat().st_size):
        return folder
    folder.mkdir(exist_ok=True)
    with data.open("rb") as f:
        total = sum(1 for _ in f)
    with data.open("rb") as f:
        for p in range(parts):
            lines = total // parts + (p < total % parts)
            with (folder / f"part_{p:02d}.jsonl").open("wb") as out:
                for _ in range(lines):
                    out.write(f.readline())
    done.write_text(str(data.stat().st_size))
    return folder


class WhitespaceTokenizer(WordTokenizer):
    """Words are what ``str.split`` gives, as in the truth's shingles."""

    def word_tokenize(self, text: str) -> list[str]:
        return text.split()

    def sent_tokenize(self, text: str) -> list[str]:
        return [text]

    def span_tokenize(self, text: str) -> list[tuple[int, int]]:
        return [(0, len(text))]


def xxhash64(data: str | bytes) -> int:
    """datatrove's shingle hash (xxh64) as with the ``xxhash<4`` it pins: xxhash 4 takes bytes
    only, so a string is UTF-8 encoded first, as xxhash 3 did itself."""
    import xxhash

    return xxhash.xxh64_intdigest(data.encode("utf-8") if isinstance(data, str) else data)


def chat_adapter(reader: Any, data: dict, path: str, id_in_file: int | str) -> dict[str, Any]:
    """A record as a datatrove document: the normalized user and assistant text, the record id."""
    return {"text": normalize(conversation_text(data["messages"])), "id": data["id"]}


def run_datatrove(
    parts: Path, work: Path, buckets: int, rows: int, workers: int
) -> dict[str, float]:
    """The four stages over the files in ``parts``; each stage's seconds."""
    import datatrove.utils.hashes.xxhash as datatrove_xxhash
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup.minhash import (
        MinhashConfig,
        MinhashDedupBuckets,
        MinhashDedupCluster,
        MinhashDedupFilter,
        MinhashDedupSignature,
    )
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from datatrove.utils.text import TextNormConfig

    datatrove_xxhash.xxhash64 = xxhash64  # read when each step is made
    off = TextNormConfig(
        lowercase=False,
        norm_whitespace=False,
        remove_punctuation=False,
        norm_unicode_diacritics=False,
        norm_numbers=False,
    )
    config = MinhashConfig(NGRAM, buckets, rows, SEED, norm_config=off)
    files = len(list(parts.glob("*.jsonl")))

    def reader() -> Any:
        return JsonlReader(str(parts), adapter=chat_adapter, glob_pattern="*.jsonl")

    def plain(folder: str) -> Any:
        return JsonlWriter(str(work / folder), compression=None)

    sigs, found, remove = str(work / "sigs"), str(work / "buckets"), str(work / "remove")
    signer = MinhashDedupSignature(sigs, config, WhitespaceTokenizer("en"))
    stages = {
        "signature": ([reader(), signer], files),
        "buckets": ([MinhashDedupBuckets(sigs, found, config=config)], buckets),
        "cluster": ([MinhashDedupCluster(found, remove, config, save_cluster_id=True)], 1),
        "filter": (
            [
                reader(),
                MinhashDedupFilter(remove, plain("removed"), load_cluster_ids=True),
                plain("kept"),
            ],
            files,
        ),
    }
    seconds = {}
    for name, (pipeline, tasks) in stages.items():
        started = time.perf_counter()
        LocalPipelineExecutor(
            pipeline,
            tasks=tasks,
            workers=min(workers, tasks),
            logging_dir=str(work / "logs" / name),
        ).run()
        seconds[name] = round(time.perf_counter() - started, 2)
    return seconds


def datatrove_clusters(work: Path) -> tuple[list[list[str]], int]:
    """Clusters from the filter stage's output (``minhash_cluster_id`` of kept and removed
    documents), and how many documents it removed."""
    members: dict[int, list[str]] = defaultdict(list)
    removed = 0
    for folder in ("kept", "removed"):
        for file in sorted((work / folder).glob("*.jsonl")):
            with file.open("rb") as f:
                for line in f:
                    doc = orjson.loads(line)
                    removed += folder == "removed"
                    cluster = doc.get("metadata", {}).get("minhash_cluster_id", -1)
                    if cluster != -1:
                        members[cluster].append(str(doc["id"]))
    return [m for m in members.values() if len(m) > 1], removed


# -- ftprep's phases ------------------------------------------------------------------------------


def profile_phases(recipe: Path, workers: int) -> dict[str, Any]:
    """The recipe run in-process with its phases timed: each segment's shard map, each global
    step's decision, and the final join (outputs, rejects, stats)."""
    from ftprep.engine.recipe import load_recipe

    engine = importlib.import_module("ftprep.engine.run")  # the package's ``run`` is a function

    phases: list[tuple[str, float]] = []

    def timing(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                phases.append((name, time.perf_counter() - started))

        return wrapper

    mapping = engine.LocalExecutor.map

    def timed_map(self: Any, tasks: Any) -> Iterator[Any]:
        started, segment = time.perf_counter(), sum(n.startswith("map") for n, _ in phases)
        yield from mapping(self, tasks)
        phases.append((f"map s{segment}", time.perf_counter() - started))

    engine.LocalExecutor.map = timed_map  # type: ignore[method-assign]
    engine._decide = timing("decide", engine._decide)
    engine._finish = timing("finish", engine._finish)
    started = time.perf_counter()
    result = engine.run(load_recipe(recipe), workers=workers)
    total = time.perf_counter() - started
    return {
        "workers": workers,
        "seconds": round(total, 2),
        "phases": [[name, round(s, 2)] for name, s in phases],
        "written": result.written,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    dt = sub.add_parser("datatrove", help="datatrove's MinHash stages; seconds to WORK/timings")
    dt.add_argument("--parts", type=Path, required=True, help="folder of JSONL parts")
    dt.add_argument("--work", type=Path, required=True, help="empty folder for its files")
    dt.add_argument("--buckets", type=int, default=14, help="LSH buckets (bands)")
    dt.add_argument("--rows", type=int, default=9, help="hashes per bucket")
    dt.add_argument("--workers", type=int, default=2, help="processes per stage")
    ph = sub.add_parser("phases", help="ftprep run with its phases timed")
    ph.add_argument("recipe", type=Path)
    ph.add_argument("--workers", type=int, default=2)
    ph.add_argument("--json", type=Path, required=True, help="write the phases here")
    args = parser.parse_args(argv)
    if args.command == "datatrove":
        seconds = run_datatrove(args.parts, args.work, args.buckets, args.rows, args.workers)
        (args.work / "timings.json").write_text(json.dumps(seconds))
    else:
        args.json.write_text(json.dumps(profile_phases(args.recipe, args.workers)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
