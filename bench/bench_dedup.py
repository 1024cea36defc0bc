"""Score and time near-duplicate removal: ftprep against datasketch and datatrove, in one run.

    .venv/bin/python bench/bench_dedup.py --records 100000 --json bench/out/dedup_100k.json

The data is ``bench/gen_dups.py``'s chats with planted clusters (``bench/data/dups_{N}.jsonl`` and
its ``.truth.json``, made when missing). Every method sees word 5-gram shingles of the user and
assistant turns (``gen_dups.shingles``: case-folded, split on whitespace, system prompts left out).

Scoring is on pairs. Predicted pairs are all pairs inside a predicted cluster; the truth at
threshold T is the planted pairs whose true Jaccard is >= T (``gen_dups.truth_pairs``: MinHash LSH
estimates Jaccard, so a planted pair below T is not a miss). Reported: precision, recall and F1
against that; recall against every planted pair; and "planted precision", the share of predicted
pairs that lie inside one planted cluster (the rest join unrelated records).

- Signature speed, in this process, one thread, on the first ``--sample`` records: ftprep's text
  normalization (``MinHashDeduplicator.text``) alone, then ``minhash_matrix`` over shards of
  2,000 texts as the engine signs them, after one warm-up shard (the first call in a process
  builds the power tables). Per core is docs per CPU second. datasketch's ``MinHash`` (with
  ``bulk`` and one by one, shingling included) on up to 5,000 of them.
- datasketch (up to ``--skip-datasketch-above`` records): ``MinHash(num_perm=128, seed=1)``,
  ``MinHashLSH(threshold=T, num_perm=128)``, each record queried, candidates kept when the
  estimated Jaccard is >= T, then union-find.
- ftprep, each a subprocess per ``--workers`` count, timed with the peak RSS of its process tree
  (polled every 0.25 s) once the machine is idle: ``ftprep dedup IN OUT --method minhash``, and
  ``ftprep run`` of a recipe with ``dedup.exact`` then ``dedup.minhash``. Scored from the
  rejects (``near_duplicate`` and ``duplicate`` both name the kept record in ``value``) and the
  kept records' ``metadata.near_dup``; the run's ``stats.json`` seconds per step are kept. With
  ``--phases``, each recipe run is repeated once through ``dedup_peers.py phases`` to split its
  time into shard maps, decisions and the final join.
- datatrove (up to ``--skip-datatrove-above`` records): its four MinHash stages through
  ``dedup_peers.py datatrove`` for each ``--datatrove-bands`` (buckets x hashes per bucket), with
  the same shingles; no check of candidates against T, so the bands set the threshold.

Both kinds of signature are also checked against the truth: the mean and largest |estimated -
true Jaccard| over up to 2,000 planted pairs (``estimate_error``; about 0.02 is the sampling noise
of 128 permutations).
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from dedup_peers import (
    UnionFind,
    best_of,
    cpu_and_wall,
    datasketch_dedup,
    datasketch_matrix,
    datasketch_speed,
    datatrove_clusters,
    machine_info,
    marked,
    normalize,
    peer_command,
    reject_clusters,
    source_fingerprint,
    split_parts,
    timed,
    wait_idle,
)
from dup_truth import Truth, conversation_text, truth_pairs, variant_stats
from dup_truth import truth_path as truth_file
from gen_dups import generate

REPO = Path(__file__).resolve().parent.parent
FTPREP = [sys.executable, "-c", "from ftprep.cli import main; main()"]
NUM_PERM = 128
SEED = 1
NGRAM = 5
SHARD = 2000  # the engine's default chunk_size: texts signed per minhash_matrix call
DATASKETCH_SAMPLE = 5000
MB = 1024 * 1024
RECIPE = """version: 1
inputs: [{data}]
output_dir: {out}
outputs: [deduped.jsonl]
steps:
  - dedup.exact
  - dedup.minhash: {{threshold: {threshold}}}
"""


def score(clusters: Iterable[list[str]], truth: Truth, threshold: float) -> dict[str, Any]:
    """Pair precision, recall and F1 of predicted clusters against the planted pairs >= threshold."""
    want, planted = truth_pairs(truth, threshold), truth_pairs(truth, 0.0)
    predicted = {frozenset(p) for c in clusters for p in itertools.combinations(c, 2)}
    tp = len(predicted & want)
    precision = tp / len(predicted) if predicted else 1.0
    recall = tp / len(want) if want else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    hit = len(predicted & planted)
    return {
        "predicted_pairs": len(predicted),
        "truth_pairs": len(want),
        "true_positives": tp,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "recall_all_planted": round(hit / len(planted), 4) if planted else 1.0,
        "planted_precision": round(hit / len(predicted), 4) if predicted else 1.0,
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


def read_rows(path: Path, limit: int | None) -> list[dict[str, Any]]:
    """The first ``limit`` records (all when None)."""
    with path.open("rb") as f:
        return [orjson.loads(line) for line in itertools.islice(f, limit)]


def ftprep_signatures(rows: list[dict[str, Any]], args: argparse.Namespace) -> dict | None:
    """Normalization, then ``minhash_matrix`` over shards of ``SHARD`` texts, one thread; each
    timed ``max(3, --repeat)`` times, the fastest pass reported (the machine is shared)."""
    try:
        from ftprep.record import Record
        from ftprep.steps.dedup.minhash import MinHashDeduplicator, minhash_matrix
    except Exception as exc:  # ImportError, or a half-written module
        print(f"ftprep minhash: not available ({type(exc).__name__}: {exc})", flush=True)
        return None
    step = MinHashDeduplicator(threshold=args.threshold)
    step.ensure_setup()
    records = [Record.from_dict(r) for r in rows]
    kwargs = {"num_perm": NUM_PERM, "seed": SEED, "ngram": NGRAM, "unit": "word"}
    minhash_matrix([step.text(r) for r in records[:SHARD]], **kwargs)  # warm-up: power tables
    wait_idle()
    passes = max(3, args.repeat)
    norm = [cpu_and_wall(lambda: [step.text(r) for r in records]) for _ in range(passes)]
    texts = [step.text(r) for r in records]

    def sign() -> None:
        for start in range(0, len(texts), SHARD):
            minhash_matrix(texts[start : start + SHARD], **kwargs)

    signs = [cpu_and_wall(sign) for _ in range(passes)]
    (norm_cpu, norm_wall), (cpu, wall) = min(norm), min(signs)
    n = len(texts)
    return {
        "docs": n,
        "shard": SHARD,
        "passes": passes,
        "normalize_docs_per_s": round(n / norm_wall),
        "normalize_docs_per_cpu_s": round(n / norm_cpu),
        "docs_per_s": round(n / wall),
        "docs_per_cpu_s": round(n / cpu),
        "docs_per_cpu_s_all_passes": [round(n / c) for c, _ in signs],
        "cpu_over_wall": round(cpu / wall, 2),
        "with_normalize_docs_per_cpu_s": round(n / (cpu + norm_cpu)),
    }


def ftprep_signer() -> Callable[[list[str]], np.ndarray]:
    from ftprep.steps.dedup.minhash import minhash_matrix

    kwargs = {"num_perm": NUM_PERM, "seed": SEED, "ngram": NGRAM, "unit": "word"}
    return lambda texts: minhash_matrix([normalize(t) for t in texts], **kwargs)


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


def scored_run(
    cmd: list[str], rejects: Path, output: Path, truth: Truth, args: argparse.Namespace
) -> dict[str, Any]:
    """Time ``cmd`` (the fastest of ``--repeat`` runs), then score its rejects and marks."""
    result: dict[str, Any] = best_of(cmd, args.repeat)
    err = result.pop("stderr")
    if result["rc"] != 0:
        print(f"{' '.join(cmd[3:])} failed (rc={result['rc']}):\n{err}", flush=True)
        return {**result, "error": err}
    records = truth.params["records"]
    uf = UnionFind()
    counts = reject_clusters(rejects, uf)
    result.update(marked(output, uf, counts))
    with output.open("rb") as f:
        result["written"] = sum(1 for _ in f)
    result.update(
        records_per_s=round(records / result["seconds"]),
        duplicate_rejects=counts["duplicate"],
        near_duplicate_rejects=counts["near_duplicate"],
        **score(uf.clusters(), truth, args.threshold),
    )
    return result


def ftprep_dedup(data: Path, workers: int, truth: Truth, args: argparse.Namespace) -> dict:
    """``ftprep dedup --method minhash``, timed and scored."""
    from ftprep.engine.layout import RunLayout

    out = args.tmp / f"dedup_w{workers}.jsonl"
    cmd = [*FTPREP, "dedup", str(data), str(out), "--method", "minhash"]
    cmd += ["--threshold", str(args.threshold), "--workers", str(workers), "--no-progress"]
    result = scored_run(cmd, RunLayout.beside(out).rejects, out, truth, args)
    out.unlink(missing_ok=True)
    return {"workers": workers, **result, **_per_core(result, workers)}


def ftprep_recipe(data: Path, workers: int, truth: Truth, args: argparse.Namespace) -> dict:
    """``ftprep run`` of dedup.exact then dedup.minhash, timed and scored; its stats' seconds
    per step, and with ``--phases`` one more, profiled run's phases."""
    out = args.tmp / f"run_w{workers}"
    recipe = args.tmp / f"recipe_w{workers}.yaml"
    recipe.write_text(RECIPE.format(data=data, out=out, threshold=args.threshold))
    cmd = [*FTPREP, "run", str(recipe), "--workers", str(workers), "--no-progress"]
    result = scored_run(cmd, out / "rejects.jsonl", out / "deduped.jsonl", truth, args)
    result = {"workers": workers, **result, **_per_core(result, workers)}
    if result["rc"] == 0:
        stats = json.loads((out / "stats.json").read_text())
        result["step_seconds"] = {s["name"]: s["seconds"] for s in stats["steps"]}
    shutil.rmtree(out, ignore_errors=True)
    if args.phases:
        profile = args.tmp / f"phases_w{workers}.json"
        cmd, env = peer_command("phases", str(recipe), "--workers", str(workers))
        run = timed([*cmd, "--json", str(profile)], env)
        ok = run["rc"] == 0
        result["phases"] = json.loads(profile.read_text()) if ok else {"error": run["stderr"]}
        shutil.rmtree(out, ignore_errors=True)
    return result


def _per_core(result: dict[str, Any], workers: int) -> dict[str, Any]:
    if "records_per_s" not in result:
        return {}
    return {"per_core": round(result["records_per_s"] / workers)}


def datatrove_run(
    data: Path, bands: str, workers: int, threshold: float, truth: Truth, folder: Path
) -> dict[str, Any]:
    """datatrove's MinHash stages once (``bands`` is ``BUCKETSxHASHES``), timed and scored."""
    buckets, rows = (int(x) for x in bands.split("x"))
    started = time.perf_counter()
    parts = split_parts(data, workers)
    split_s = round(time.perf_counter() - started, 2)
    work = folder / f"datatrove_{bands}"
    cmd, env = peer_command("datatrove", "--parts", str(parts), "--work", str(work))
    cmd += ["--buckets", str(buckets), "--rows", str(rows), "--workers", str(workers)]
    result: dict[str, Any] = {"buckets": buckets, "hashes_per_bucket": rows, "workers": workers}
    result.update(timed(cmd, env), split_input_s=split_s)
    err = result.pop("stderr")
    if result["rc"] != 0:
        print(f"datatrove {bands} failed (rc={result['rc']}):\n{err}", flush=True)
        return {**result, "error": err}
    result["stage_seconds"] = json.loads((work / "timings.json").read_text())
    clusters, removed = datatrove_clusters(work)
    records = truth.params["records"]
    result.update(
        removed=removed,
        records_per_s=round(records / result["seconds"]),
        per_core=round(records / result["seconds"] / workers),
        lsh_threshold_approx=round((1 / buckets) ** (1 / rows), 3),
        **score(clusters, truth, threshold),
    )
    shutil.rmtree(work, ignore_errors=True)
    return result


def print_table(rows: list[dict[str, Any]]) -> None:
    head = (
        f"{'method':<38} {'docs/s':>9} {'/core':>9} {'seconds':>8} {'RSS MB':>7} "
        f"{'pairs':>7} {'P':>6} {'R':>6} {'F1':>6} {'R(all)':>7}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:

        def cell(key: str, width: int, fmt: str = ",", r: dict[str, Any] = r) -> str:
            v = r.get(key)
            return f"{'-':>{width}}" if v is None else f"{v:>{width}{fmt}}"

        print(
            f"{r['method']:<38} {cell('docs_per_s', 9)} {cell('per_core', 9)} "
            f"{cell('seconds', 8, '.2f')} {cell('peak_rss_mb', 7)} {cell('predicted_pairs', 7)} "
            f"{cell('precision', 6, '.3f')} {cell('recall', 6, '.3f')} {cell('f1', 6, '.3f')} "
            f"{cell('recall_all_planted', 7, '.3f')}"
        )


def signature_speeds(args: argparse.Namespace, data: Path, out: dict, rows: list) -> None:
    """ftprep's and datasketch's signatures per second on the first ``--sample`` records."""
    sample = read_rows(data, args.sample)
    fsp = ftprep_signatures(sample, args)
    out["ftprep_signatures"] = fsp or {"available": False}
    if fsp:
        per_s = {"docs_per_s": fsp["normalize_docs_per_s"]}
        rows.append(
            {
                "method": "ftprep normalize (step.text)",
                **per_s,
                "per_core": fsp["normalize_docs_per_cpu_s"],
            }
        )
        rows.append(
            {
                "method": "ftprep minhash_matrix (2,000/call)",
                **fsp,
                "per_core": fsp["docs_per_cpu_s"],
            }
        )
    texts = [conversation_text(r["messages"]) for r in sample[:DATASKETCH_SAMPLE]]
    wait_idle()
    speed = datasketch_speed(texts)
    out["datasketch_signatures"] = speed
    for method, key in (("MinHash.bulk", "bulk"), ("MinHash per doc", "per_doc")):
        per_s = speed[f"{key}_docs_per_s"]
        rows.append({"method": f"datasketch {method}", "docs_per_s": per_s, "per_core": per_s})


def datasketch_section(args: argparse.Namespace, data: Path, truth: Truth, out: dict, rows: list):
    if args.records > args.skip_datasketch_above:
        print(f"datasketch LSH: skipped above {args.skip_datasketch_above:,} records")
        out["datasketch"] = {"skipped": f"records > {args.skip_datasketch_above}"}
        return
    texts = {r["id"]: conversation_text(r["messages"]) for r in read_rows(data, None)}
    wait_idle()
    clusters, ds = datasketch_dedup(texts, args.threshold)
    ds.update(score(clusters, truth, args.threshold))
    ds["estimate_error"] = estimate_error(datasketch_matrix, truth, texts)
    with contextlib.suppress(ImportError):
        out["ftprep_signatures"]["estimate_error"] = estimate_error(ftprep_signer(), truth, texts)
    out["datasketch"] = ds
    rows.append({"method": "datasketch LSH end to end (1 core)", **ds, "seconds": ds["total_s"]})


def ftprep_section(args: argparse.Namespace, data: Path, truth: Truth, out: dict, rows: list):
    out["ftprep_dedup"], out["ftprep_run"] = [], []
    with tempfile.TemporaryDirectory(dir=args.data) as tmp:
        args.tmp = Path(tmp)
        for w in args.workers:
            res = ftprep_dedup(data, w, truth, args)
            out["ftprep_dedup"].append(res)
            method = f"ftprep dedup minhash --workers {w}"
            rows.append({"method": method, **res, "docs_per_s": res.get("records_per_s")})
        for w in args.workers:
            res = ftprep_recipe(data, w, truth, args)
            out["ftprep_run"].append(res)
            method = f"ftprep run exact+minhash --workers {w}"
            rows.append({"method": method, **res, "docs_per_s": res.get("records_per_s")})


def datatrove_section(args: argparse.Namespace, data: Path, truth: Truth, out: dict, rows: list):
    if args.records > args.skip_datatrove_above:
        print(f"datatrove: skipped above {args.skip_datatrove_above:,} records")
        out["datatrove"] = [{"skipped": f"records > {args.skip_datatrove_above}"}]
        return
    out["datatrove"] = []
    with tempfile.TemporaryDirectory(dir=args.data) as tmp:
        for bands in args.datatrove_bands:
            res = datatrove_run(data, bands, 2, args.threshold, truth, Path(tmp))
            out["datatrove"].append(res)
            method = f"datatrove minhash {bands} --workers 2"
            rows.append({"method": method, **res, "docs_per_s": res.get("records_per_s")})


def run(args: argparse.Namespace) -> dict[str, Any]:
    info = machine_info()
    for key, value in info.items():
        print(f"{key}: {value}")
    data = ensure_data(args.data, args.records, args.seed)
    truth = Truth.load(truth_file(data))
    want = truth_pairs(truth, args.threshold)
    print(
        f"data: {data} ({data.stat().st_size / MB:,.0f} MB), {len(truth.clusters):,} clusters, "
        f"{len(truth.pairs):,} planted pairs, {len(want):,} with true Jaccard >= {args.threshold}",
        flush=True,
    )
    out: dict[str, Any] = {
        "machine": info,
        "params": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "data": {"path": str(data), "bytes": data.stat().st_size, **truth.params},
        "truth": {"planted_pairs": len(truth.pairs), "pairs_ge_threshold": len(want)},
        "variant_jaccard": variant_stats(truth),
    }
    rows: list[dict[str, Any]] = []
    source = out["ftprep_source"] = source_fingerprint()
    for section in (signature_speeds, datasketch_section, ftprep_section, datatrove_section):
        started = time.perf_counter()
        if section is signature_speeds:
            section(args, data, out, rows)
        else:
            section(args, data, truth, out, rows)
        print(f"{section.__name__}: {time.perf_counter() - started:.1f} s", flush=True)
    for name, part in (("datasketch", out["datasketch"]), ("ftprep", out["ftprep_signatures"])):
        if part.get("estimate_error"):
            e = part["estimate_error"]
            pairs = f"over {e['pairs']} planted pairs"
            print(f"{name}: |estimated - true Jaccard| mean {e['mae']} max {e['max']} {pairs}")
    changed = sorted(k for k, v in source_fingerprint().items() if source.get(k) != v)
    if changed:
        out["ftprep_source_changed_during_run"] = changed
        print(f"WARNING: ftprep's source changed during the run: {', '.join(changed)}")
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
    parser.add_argument("--sample", type=int, default=20_000, help="records for signature speed")
    parser.add_argument("--workers", default="1,2", help="worker counts for the ftprep runs")
    parser.add_argument(
        "--repeat", type=int, default=1, help="time each ftprep run N times, report the fastest"
    )
    parser.add_argument(
        "--phases",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="repeat each recipe run profiled, to split its time into phases",
    )
    parser.add_argument(
        "--skip-datasketch-above",
        type=int,
        default=100_000,
        metavar="N",
        help="run datasketch LSH only up to N records",
    )
    parser.add_argument(
        "--skip-datatrove-above",
        type=int,
        default=100_000,
        metavar="N",
        help="run datatrove only up to N records",
    )
    parser.add_argument(
        "--datatrove-bands",
        default="14x9",
        metavar="BxR[,BxR]",
        help="datatrove buckets x hashes per bucket, one run each (its default is 14x8)",
    )
    args = parser.parse_args(argv)
    if args.records < 2 or not 0.0 < args.threshold <= 1.0:
        parser.error("--records must be >= 2 and --threshold in (0, 1]")
    args.workers = [int(w) for w in args.workers.split(",") if w.strip()]
    args.datatrove_bands = [b.strip() for b in args.datatrove_bands.split(",") if b.strip()]
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
