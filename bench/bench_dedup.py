"""Score and time near-duplicate removal: datasketch MinHash LSH as the reference, then ftprep.

    .venv/bin/python bench/bench_dedup.py --records 20000 --json bench/out/dedup_20k.json

The data is ``bench/gen_dups.py``'s chats with planted clusters (``bench/data/dups_{N}.jsonl`` and
its ``.truth.json``, made when missing). Every method sees word 5-gram shingles of the user and
assistant turns (``gen_dups.shingles``: case-folded, split on whitespace, system prompts left out).

Scoring is on pairs. Predicted pairs are all pairs inside a predicted cluster; the truth at
threshold T is the planted pairs whose true Jaccard is >= T (``gen_dups.truth_pairs``: MinHash LSH
estimates Jaccard, so a planted pair below T is not a miss). Reported: precision, recall and F1
against that; recall against every planted pair; and "planted precision", the share of predicted
pairs that lie inside one planted cluster (the rest join unrelated records).

- datasketch (up to ``--skip-datasketch-above`` records): ``MinHash(num_perm=128, seed=1)`` per
  record (through ``MinHash.bulk``), ``MinHashLSH(threshold=T, num_perm=128)``, each record
  queried, candidates kept when the estimated Jaccard is >= T, then union-find. Signature speed is
  also timed alone on ``--sample`` records, with and without ``bulk``.
- ftprep: ``ftprep.steps.dedup.minhash.minhash_matrix`` timed on the same sample (docs per wall
  second and per CPU second), then ``ftprep dedup IN OUT --method minhash`` per ``--workers``
  count (wall time, peak RSS of the process tree polled every 0.25 s), scored from the rejects:
  each ``near_duplicate`` reject names the kept record in ``value``. Skipped, with a note, while
  the module does not import.
- datatrove: only whether it is installed, and its version.

Both kinds of signature are also checked against the truth: the mean and largest |estimated -
true Jaccard| over up to 2,000 planted pairs (``estimate_error``; about 0.02 is the sampling noise
of 128 permutations). ftprep's texts are normalized first, as its step does.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import itertools
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import psutil

from gen_dups import Truth, conversation_text, generate, shingles, truth_pairs, variant_stats
from gen_dups import truth_path as truth_file

REPO = Path(__file__).resolve().parent.parent
FTPREP = [sys.executable, "-c", "from ftprep.cli import main; main()"]
NUM_PERM = 128
SEED = 1
NGRAM = 5
POLL_S = 0.25
MB = 1024 * 1024
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


def score(clusters: Iterable[list[str]], truth: Truth, threshold: float) -> dict[str, Any]:
    """Pair precision, recall and F1 of predicted clusters against the planted pairs >= threshold."""
    want, planted = truth_pairs(truth, threshold), truth_pairs(truth, 0.0)
    predicted = {frozenset(p) for c in clusters for p in itertools.combinations(c, 2)}
    tp = len(predicted & want)
    precision = tp / len(predicted) if predicted else 1.0
    recall = tp / len(want) if want else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "predicted_pairs": len(predicted),
        "truth_pairs": len(want),
        "true_positives": tp,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "recall_all_planted": round(len(predicted & planted) / len(planted), 4) if planted else 1.0,
        "planted_precision": round(len(predicted & planted) / len(predicted), 4)
        if predicted
        else 1.0,
    }


def ensure_data(folder: Path, records: int, seed: int) -> Path:
    """``folder/dups_{records}.jsonl`` and its truth, generated when either is missing."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"dups_{records}.jsonl"
    if not (path.exists() and truth_file(path).exists()):
        print(f"generating {path} ({records:,} records) ...", flush=True)
        start = time.perf_counter()
        generate(path, records, seed)
        print(f"  {time.perf_counter() - start:.1f} s", flush=True)
    return path


def read_texts(path: Path, limit: int | None) -> dict[str, str]:
    """Record id -> conversation text, for the first ``limit`` records (all when None)."""
    texts: dict[str, str] = {}
    with path.open("rb") as f:
        for line in itertools.islice(f, limit):
            rec = orjson.loads(line)
            texts[rec["id"]] = conversation_text(rec["messages"])
    return texts


def shingle_bytes(text: str) -> list[bytes]:
    return [s.encode("utf-8") for s in shingles(text, NGRAM)]


def datasketch_speed(texts: list[str]) -> dict[str, Any]:
    """Signatures per second from text (shingling included), with ``bulk`` and one by one."""
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
    b, r = lsh.b, lsh.r
    info = {
        "records": len(ids),
        "bands": b,
        "rows": r,
        "scheme": getattr(sigs[0], "scheme", None) if sigs else None,
        "signature_s": round(signed - start, 2),
        "insert_s": round(inserted - signed, 2),
        "query_verify_s": round(done - inserted, 2),
        "total_s": round(done - start, 2),
        "docs_per_s": round(len(ids) / (done - start)),
        "candidate_pairs": candidates,
        "verified_pairs": kept,
    }
    return uf.clusters(), info


def estimate_error(
    sign: Callable[[list[str]], np.ndarray], truth: Truth, texts: dict[str, str]
) -> dict[str, Any] | None:
    """Mean and max |estimated - true Jaccard| over planted pairs whose texts are in ``texts``."""
    pairs = [(a, b, j) for a, b, j in truth.pairs if a in texts and b in texts][:2000]
    if not pairs:
        return None
    ids = list(dict.fromkeys(x for a, b, _ in pairs for x in (a, b)))
    row = {x: i for i, x in enumerate(ids)}
    sig = sign([texts[x] for x in ids])
    err = [abs(float(np.mean(sig[row[a]] == sig[row[b]])) - j) for a, b, j in pairs]
    return {"pairs": len(pairs), "mae": round(float(np.mean(err)), 4), "max": round(max(err), 4)}


def datasketch_matrix(texts: list[str]) -> np.ndarray:
    from datasketch import MinHash

    sigs = MinHash.bulk((shingle_bytes(t) for t in texts), num_perm=NUM_PERM, seed=SEED)
    return np.array([m.hashvalues for m in sigs])


def ftprep_minhash() -> Callable[..., np.ndarray] | None:
    """``minhash_matrix`` when ftprep has it yet, else None (with a note)."""
    try:
        from ftprep.steps.dedup.minhash import minhash_matrix
    except Exception as exc:  # ImportError, or a half-written module
        print(f"ftprep minhash: not available yet ({type(exc).__name__}: {exc})", flush=True)
        return None
    return minhash_matrix


def normalize(text: str) -> str:
    """What ``minhash_matrix`` expects (and the step's Normalizer gives on ASCII text): case
    folded, words one space apart."""
    return " ".join(text.casefold().split())


def ftprep_signer(minhash_matrix: Callable[..., np.ndarray]) -> Callable[[list[str]], np.ndarray]:
    """Texts -> signature matrix: normalized, then ``minhash_matrix`` with the reference's knobs."""
    kwargs = {"num_perm": NUM_PERM, "seed": SEED, "ngram": NGRAM, "unit": "word"}
    return lambda texts: minhash_matrix([normalize(t) for t in texts], **kwargs)


def ftprep_speed(sign: Callable[[list[str]], np.ndarray], texts: list[str]) -> dict[str, Any]:
    """Signatures per wall second and per CPU second (all threads), normalization included."""
    sign(texts[:100])  # warm-up: imports, caches
    wall, cpu = time.perf_counter(), time.process_time()
    sig = sign(texts)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {
        "docs": len(texts),
        "shape": list(sig.shape),
        "dtype": str(sig.dtype),
        "docs_per_s": round(len(texts) / wall),
        "docs_per_cpu_s": round(len(texts) / cpu) if cpu else None,
        "cpu_over_wall": round(cpu / wall, 2),
    }


def tree_rss(proc: psutil.Process) -> int:
    """Summed RSS in bytes of ``proc`` and its descendants."""
    total = 0
    with contextlib.suppress(psutil.Error):
        for p in [proc, *proc.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                total += p.memory_info().rss
    return total


def timed(cmd: list[str]) -> tuple[float, float, int, str]:
    """Wall seconds, peak tree RSS in MB (polled every POLL_S), exit status, stderr tail."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    watched, peak, done = psutil.Process(proc.pid), [0], threading.Event()

    def poll() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss(watched))
            done.wait(POLL_S)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    _, err = proc.communicate()
    seconds = time.perf_counter() - start
    done.set()
    poller.join()
    return seconds, peak[0] / MB, proc.returncode, err.decode(errors="replace")[-2000:]


def reject_clusters(rejects: Path) -> tuple[list[list[str]], int]:
    """Predicted clusters from ``near_duplicate`` rejects: each kept id and the ids naming it."""
    uf, dropped = UnionFind(), 0
    with rejects.open("rb") as f:
        for line in f:
            rej = orjson.loads(line)
            if rej.get("code") != "near_duplicate":
                continue
            dropped += 1
            uf.union(_record_id(rej), _kept_id(str(rej["value"])))
    return uf.clusters(), dropped


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
    m = LINE_REF.search(value)  # "file:line", as dedup.exact writes it
    return f"r{int(m.group(1)):07d}" if m else value


def ftprep_cli(data: Path, workers: int, threshold: float, truth: Truth, folder: Path) -> dict:
    """Run ``ftprep dedup --method minhash`` once; time it and score its rejects."""
    from ftprep.engine.layout import RunLayout

    out = folder / f"dedup_w{workers}.jsonl"
    cmd = [*FTPREP, "dedup", str(data), str(out), "--method", "minhash"]
    cmd += ["--threshold", str(threshold), "--workers", str(workers), "--no-progress"]
    seconds, rss, rc, err = timed(cmd)
    result: dict[str, Any] = {"workers": workers, "seconds": round(seconds, 2), "rc": rc}
    result["peak_rss_mb"] = round(rss)
    if rc != 0:
        result["error"] = err
        print(f"ftprep dedup --workers {workers} failed (rc={rc}):\n{err}", flush=True)
        return result
    records = truth.params["records"]
    with out.open("rb") as f:
        result["written"] = sum(1 for _ in f)
    clusters, dropped = reject_clusters(RunLayout.beside(out).rejects)
    result.update(
        records_per_s=round(records / seconds),
        per_core=round(records / seconds / workers),
        near_duplicate_rejects=dropped,
        **score(clusters, truth, threshold),
    )
    return result


def datatrove_status() -> dict[str, Any]:
    try:
        import datatrove  # noqa: F401
    except ImportError:
        return {"installed": False, "note": "datatrove: not installed"}
    version = importlib.metadata.version("datatrove")
    return {"installed": True, "version": version, "note": "installed, pipeline not run yet"}


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
    for lib in ("numpy", "datasketch", "rensa", "orjson"):
        try:
            info[lib] = importlib.metadata.version(lib)
        except importlib.metadata.PackageNotFoundError:
            info[lib] = "not installed"
    return info


def print_table(rows: list[dict[str, Any]]) -> None:
    head = (
        f"{'method':<34} {'docs/s':>9} {'/core':>9} {'seconds':>8} {'RSS MB':>7} "
        f"{'pairs':>7} {'P':>6} {'R':>6} {'F1':>6} {'R(all)':>7}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:

        def cell(key: str, width: int, fmt: str = ",", r: dict[str, Any] = r) -> str:
            v = r.get(key)
            return f"{'-':>{width}}" if v is None else f"{v:>{width}{fmt}}"

        print(
            f"{r['method']:<34} {cell('docs_per_s', 9)} {cell('per_core', 9)} "
            f"{cell('seconds', 8, '.2f')} {cell('peak_rss_mb', 7)} {cell('predicted_pairs', 7)} "
            f"{cell('precision', 6, '.3f')} {cell('recall', 6, '.3f')} {cell('f1', 6, '.3f')} "
            f"{cell('recall_all_planted', 7, '.3f')}"
        )


def run(args: argparse.Namespace) -> dict[str, Any]:
    info = machine_info()
    for key, value in info.items():
        print(f"{key}: {value}")
    data = ensure_data(args.data, args.records, args.seed)
    truth = Truth.load(truth_file(data))
    want = truth_pairs(truth, args.threshold)
    print(
        f"data: {data} ({data.stat().st_size / MB:,.0f} MB), {len(truth.clusters):,} clusters, "
        f"{len(truth.pairs):,} planted pairs, {len(want):,} with true Jaccard >= {args.threshold}"
    )
    out: dict[str, Any] = {
        "machine": info,
        "params": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "data": {"path": str(data), "bytes": data.stat().st_size, **truth.params},
        "truth": {"planted_pairs": len(truth.pairs), "pairs_ge_threshold": len(want)},
        "variant_jaccard": variant_stats(truth),
    }
    rows: list[dict[str, Any]] = []
    run_ds = args.records <= args.skip_datasketch_above
    texts = read_texts(data, None if run_ds else args.sample)
    sample = list(texts.values())[: args.sample]

    speed = datasketch_speed(sample)
    out["datasketch_signatures"] = speed
    rows.append({"method": "datasketch MinHash.bulk", "docs_per_s": speed["bulk_docs_per_s"]})
    rows.append({"method": "datasketch MinHash per doc", "docs_per_s": speed["per_doc_docs_per_s"]})
    if run_ds:
        clusters, ds = datasketch_dedup(texts, args.threshold)
        ds.update(score(clusters, truth, args.threshold))
        ds["estimate_error"] = estimate_error(datasketch_matrix, truth, texts)
        out["datasketch"] = ds
        rows.append({"method": "datasketch LSH end to end", **ds, "seconds": ds["total_s"]})
    else:
        print(f"datasketch LSH: skipped above {args.skip_datasketch_above:,} records")
        out["datasketch"] = {"skipped": f"records > {args.skip_datasketch_above}"}

    minhash_matrix = ftprep_minhash()
    out["ftprep_signatures"] = {"available": minhash_matrix is not None}
    out["ftprep_cli"] = []
    if minhash_matrix is not None:
        sign = ftprep_signer(minhash_matrix)
        fsp = ftprep_speed(sign, sample)
        fsp["estimate_error"] = estimate_error(sign, truth, texts)
        out["ftprep_signatures"].update(fsp)
        rows.append({"method": "ftprep minhash_matrix", **fsp, "per_core": fsp["docs_per_cpu_s"]})
        with tempfile.TemporaryDirectory(dir=args.data) as tmp:
            for w in args.workers:
                res = ftprep_cli(data, w, args.threshold, truth, Path(tmp))
                out["ftprep_cli"].append(res)
                method = f"ftprep dedup --workers {w}"
                rows.append({"method": method, **res, "docs_per_s": res.get("records_per_s")})
    out["datatrove"] = datatrove_status()
    print(f"datatrove: {out['datatrove']['note']} ({out['datatrove'].get('version', '-')})")
    for name, part in (("datasketch", out["datasketch"]), ("ftprep", out["ftprep_signatures"])):
        if part.get("estimate_error"):
            e = part["estimate_error"]
            pairs = f"over {e['pairs']} planted pairs"
            print(f"{name}: |estimated - true Jaccard| mean {e['mae']} max {e['max']} {pairs}")
    print()
    print_table(rows)
    return out


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000, help="records in the file")
    parser.add_argument("--threshold", type=float, default=0.8, help="Jaccard threshold T")
    parser.add_argument("--data", type=Path, default=REPO / "bench" / "data", help="data folder")
    parser.add_argument("--seed", type=int, default=0, help="generator seed")
    parser.add_argument("--json", type=Path, default=None, help="write results to this file")
    parser.add_argument("--sample", type=int, default=5000, help="records for signature speed")
    parser.add_argument("--workers", default="1,2", help="worker counts for ftprep dedup")
    parser.add_argument(
        "--skip-datasketch-above",
        type=int,
        default=100_000,
        metavar="N",
        help="run datasketch LSH only up to N records",
    )
    args = parser.parse_args(argv)
    if args.records < 2 or not 0.0 < args.threshold <= 1.0:
        parser.error("--records must be >= 2 and --threshold in (0, 1]")
    args.workers = [int(w) for w in args.workers.split(",") if w.strip()]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out = run(args)
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=2, default=str) + "\n")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
