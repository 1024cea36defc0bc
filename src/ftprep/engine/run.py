"""``ftprep run``: a recipe over its inputs, in shards, with rejects, stats, a manifest and resume.

The run is a sequence of *segments* (the per-record steps between global steps). Each segment
runs over every shard in the executor; after a segment that ends in a global step, that step's
``decide`` runs here, over the signatures of all shards in order (with worker processes, in a
thread while the segment runs: see :mod:`ftprep.engine.decide`), and the next segment drops what
it decided. The last segment renders the outputs, which are joined in shard order as the shards
finish (:mod:`ftprep.engine.join`).

Every shard file is written atomically and a shard's stats file is written last, so after a crash
(even ``kill -9``) ``resume=True`` redoes only the shards without one, and the result is
byte-identical to an uninterrupted run.
"""

from __future__ import annotations

import platform
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from ftprep import __version__
from ftprep.collect.accounting import CollectStats, watermark_state
from ftprep.collect.source import Collection
from ftprep.engine.decide import Deciding, decide, load_drops
from ftprep.engine.executor import LocalExecutor, worker_count
from ftprep.engine.files import (
    hash_path,
    read_json,
    write_json,
)
from ftprep.engine.join import RunJoin
from ftprep.engine.layout import RunLayout
from ftprep.engine.plan import OutputTarget, Pipeline, ShardTask
from ftprep.engine.progress import RunProgress
from ftprep.engine.publish import describe, publish, stats_step
from ftprep.engine.recipe import AnnotationInput, LogInput, Recipe, ReviewInput, SqlInput
from ftprep.engine.shards import iter_shards
from ftprep.engine.yamlfile import RecipeError
from ftprep.errors import FtprepError
from ftprep.formats import ColumnMapping, get_format
from ftprep.io import open_writer
from ftprep.io.atomic import remove_path, remove_stale_temps
from ftprep.io.writers import writer_container
from ftprep.reading import Source, open_source
from ftprep.steps.dataset.stats import DatasetStats

DEPENDENCIES = (
    "orjson",
    "pydantic",
    "PyYAML",
    "click",
    "rich",
    "ftfy",
    "phonenumbers",
    "Faker",
    "numpy",
    "rensa",
)


@dataclass
class RunResult:
    outputs: list[str]
    rejects: str
    stats: str
    manifest: str
    read: int = 0
    written: int = 0
    rejected: int = 0
    steps: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    resumed_shards: int = 0
    workers: int = 1
    #: copies made by upsampling: read + added = written + rejected
    added: int = 0
    warnings: list[str] = field(default_factory=list)
    #: what each collector input read and made (rows, records, rejected rows and why)
    collected: list[dict[str, Any]] = field(default_factory=list)
    #: the run's report.html, when one was written
    report: str | None = None


def run(
    recipe: Recipe,
    *,
    workers: int | str | None = None,
    resume: bool = False,
    progress: bool = False,
    layout: RunLayout | None = None,
) -> RunResult:
    """Run ``recipe``; see the module docstring. Returns the counts and where everything is."""
    started = time.perf_counter()
    layout = layout or RunLayout.in_folder(recipe)
    opened = [_open_input(recipe, spec) for spec in recipe.inputs]
    if not opened:
        raise RecipeError("the recipe has no inputs", file=recipe.file, key="inputs")
    if not recipe.outputs:
        raise RecipeError("the recipe has no outputs", file=recipe.file, key="outputs")
    state = {
        "ftprep": __version__,
        "recipe": recipe.fingerprint(),
        "inputs": [s.state() if isinstance(s, Collection) else _stat(s.path) for s in opened],
    }
    resumed = _prepare_work(layout.work, state, resume)
    for path in (*layout.outputs, layout.rejects, layout.stats, layout.manifest, layout.report):
        if path is not None:
            remove_stale_temps(path)  # of a run of the same files that was killed
    sources: list[Source] = []
    collections: list[tuple[Collection, CollectStats, Path]] = []
    for k, item in enumerate(opened):
        if isinstance(item, Collection):  # collected first, then read as a file of records
            source, collected = item.run(layout.work / "collect", k, resumed)
            collections.append((item, collected, item.rejects(layout.work / "collect", k)))
            sources.append(source)
        else:
            sources.append(item)
    targets = [
        OutputTarget(path, get_format(o.format), o.container or writer_container(path), o.split)
        for o, path in zip(recipe.outputs, layout.outputs, strict=True)
    ]
    steps = recipe.build_steps()
    measure = stats_step(recipe, steps)
    steps = [(n, s) for n, s in steps if s is not measure]  # it reads the output, not records
    for _, step in steps:  # fail before anything runs; forked workers share what loaded
        step.ensure_setup()
    pipeline = Pipeline(
        sources, Pipeline.split(steps), targets, layout.work, recipe.options.on_error
    )
    for s in range(len(pipeline.segments)):
        (layout.work / f"s{s:02d}").mkdir(parents=True, exist_ok=True)
    count = worker_count(workers if workers is not None else recipe.options.workers)
    metas: list[list[dict[str, Any]]] = []
    skipped = 0
    # the final files are joined as the shards finish (after each segment when resuming)
    joins = RunJoin(pipeline, layout.rejects, [rejects for *_, rejects in collections])
    try:
        with LocalExecutor(pipeline, count) as executor, RunProgress(enabled=progress) as bar:
            for s in range(len(pipeline.segments)):
                done = _done_shards(pipeline, s) if resumed else {}
                skipped += len(done)
                tasks = _tasks(recipe, pipeline, s, metas, done)
                label = _segment_label(pipeline, s)
                total = sum(m["kept"] for m in metas[-1]) if metas else None
                bar.start(label, total)
                gate = pipeline.segments[s].gate is not None
                deciding = Deciding(pipeline, s) if gate and count > 1 and not resumed else None
                fresh = {}
                results = executor.map(tasks)
                try:
                    for m in results:
                        bar.advance(m)
                        fresh[m["shard"]] = m
                        if not resumed:
                            joins.shard_done(s, m)
                        if deciding is not None:
                            deciding.add(m["shard"])
                    merged = {**done, **fresh}
                    bar.advance_done(done.values())
                    metas.append([merged[k] for k in sorted(merged)])
                    if resumed:
                        for m in metas[-1]:
                            joins.shard_done(s, m)
                except BaseException:
                    if deciding is not None:
                        deciding.abort()
                    raise
                finally:
                    results.close()  # and so the shard reader (see LocalExecutor.map)
                if deciding is not None:
                    deciding.finish()
                elif gate:
                    decide(pipeline, s, [m["shard"] for m in metas[-1]])
        output_hashes = joins.close()
    except BaseException:
        joins.abort()
        raise
    result = _finish(
        recipe, pipeline, layout, metas, sources, count, collections, output_hashes, measure
    )
    result.resumed_shards = skipped
    result.seconds = time.perf_counter() - started
    return result


def _open_input(recipe: Recipe, spec: Any) -> Source | Collection:
    if isinstance(spec, LogInput):
        return Collection.of(spec.logs, recipe.base_dir)
    if isinstance(spec, SqlInput):
        return Collection.of(spec.sql, recipe.base_dir)
    if isinstance(spec, AnnotationInput):
        return Collection.of(spec.annotations, recipe.base_dir)
    if isinstance(spec, ReviewInput):
        return Collection.of(spec.review, recipe.base_dir)
    mapping = (
        ColumnMapping.from_options(
            [f"{k}={v}" for k, v in spec.map.items()], formatting=spec.format
        )
        if spec.map
        else None
    )
    return open_source(
        recipe.path(spec.path),
        fmt=None if mapping else spec.format,
        container=spec.container,
        mapping=mapping,
        dataset_info=recipe.path(spec.dataset_info) if spec.dataset_info else None,
        dataset=spec.dataset,
    )


def _stat(path: Path) -> dict[str, Any]:
    stat = path.stat()
    return {"path": str(path), "bytes": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _prepare_work(work: Path, state: dict[str, Any], resume: bool) -> bool:
    """Make the work folder ready; True when earlier shard files are reused."""
    state_file = work / "state.json"
    if resume and state_file.exists():
        if read_json(state_file) != state:
            raise FtprepError(
                f"cannot resume: the recipe or its inputs changed since the interrupted run "
                f"({work}); run again without --resume to start over"
            )
        return True
    remove_path(work)
    work.mkdir(parents=True)
    write_json(state_file, state)
    return False


def _done_shards(pipeline: Pipeline, segment: int) -> dict[int, dict[str, Any]]:
    folder = pipeline.work / f"s{segment:02d}"
    return {int(p.stem): read_json(p) for p in sorted(folder.glob("*.json")) if p.stem.isdigit()}


def _tasks(
    recipe: Recipe,
    pipeline: Pipeline,
    segment: int,
    metas: list[list[dict[str, Any]]],
    done: dict[int, dict[str, Any]],
) -> Iterator[ShardTask]:
    if segment == 0:
        for task in _read_shards(recipe, pipeline):
            if task.shard not in done:
                yield task
        return
    drops = load_drops(pipeline, segment - 1)
    for meta in metas[-1]:
        shard = meta["shard"]
        if shard not in done:
            yield ShardTask(segment, shard, drops=drops.get(shard))


def _read_shards(recipe: Recipe, pipeline: Pipeline) -> Iterator[ShardTask]:
    """The input rows in shards of ``chunk_size``; a shard never spans two inputs."""
    shard = 0
    for index, source in enumerate(pipeline.sources):
        for rows in iter_shards(source, recipe.options.chunk_size, pipeline.input_hashes):
            yield ShardTask(0, shard, rows=rows, source=index)
            shard += 1


def _segment_label(pipeline: Pipeline, s: int) -> str:
    seg = pipeline.segments[s]
    names = [n for n, _ in seg.steps]
    if seg.after is not None:
        names.insert(0, seg.after[0])
    return ", ".join(names) or "write"


def _finish(
    recipe: Recipe,
    pipeline: Pipeline,
    layout: RunLayout,
    metas: list[list[dict[str, Any]]],
    sources: list[Source],
    workers: int,
    collections: list[tuple[Collection, CollectStats, Path]],
    output_hashes: dict[str, str],
    measure: DatasetStats | None = None,
) -> RunResult:
    """Write the outputs in other containers than JSON Lines (those are joined already),
    check the accounting, write stats and manifest, publish, remove the work folder."""
    last = len(pipeline.segments) - 1
    for k, target in enumerate(pipeline.outputs):
        if target.container != "jsonl":
            _write_rows(
                target, [pipeline.shard_file(last, m["shard"], f"out{k}") for m in metas[-1]]
            )
    result = RunResult(
        outputs=[str(t.path) for t in pipeline.outputs],
        rejects=str(layout.rejects),
        stats=str(layout.stats),
        manifest=str(layout.manifest),
        read=sum(m["read"] for m in metas[0]),
        added=sum(m.get("added", 0) for seg in metas for m in seg),
        written=sum(m["kept"] for m in metas[-1]),
        rejected=sum(m["rejected"] for seg in metas for m in seg),
        steps=_step_totals(recipe, metas, _decided(pipeline)),
        workers=workers,
        collected=[c.to_dict() for _, c, _ in collections],
    )
    result.warnings = [f"{s['name']}: {w}" for s in result.steps for w in s.pop("warnings", [])]
    if result.read + result.added != result.written + result.rejected:
        raise FtprepError(
            f"accounting error: read {result.read} + added {result.added} != written "
            f"{result.written} + rejected {result.rejected}; the run's work files are kept in "
            f"{layout.work}"
        )
    outputs = [
        {
            "path": str(t.path),
            "format": t.format.name,
            "rows": sum(m["outputs"][k]["rows"] for m in metas[-1]),
            "losses": _sum_dicts(m["outputs"][k]["losses"] for m in metas[-1]),
        }
        for k, t in enumerate(pipeline.outputs)
    ]
    stats = {
        "read": result.read,
        "added": result.added,
        "written": result.written,
        "rejected": result.rejected,
        "warnings": result.warnings,
        "reject_reasons": _sum_dicts(s["rejected"] for s in result.steps),
        "steps": result.steps,
        "outputs": outputs,
        **({"collect": result.collected} if result.collected else {}),
    }
    sampler = describe(recipe, layout, pipeline.outputs[0], stats, result, measure)
    write_json(layout.stats, stats, durable=True)
    manifest = _manifest(recipe, sources, outputs, result, pipeline.input_hashes, output_hashes)
    write_json(layout.manifest, manifest, durable=True)
    publish(recipe, layout, pipeline.outputs, stats, manifest, sampler, result)
    for collection, collected, _ in collections:  # only now: a failed run moves no watermark
        if collection.watermark_file is not None:
            state = watermark_state(collected, collection.watermark)
            collection.watermark_file.parent.mkdir(parents=True, exist_ok=True)
            write_json(collection.watermark_file, state, durable=True)
    shutil.rmtree(layout.work, ignore_errors=True)
    return result


def _write_rows(target: OutputTarget, parts: list[Path]) -> None:
    """An output in another container than JSON Lines, from the shards' JSON lines."""
    import orjson

    with open_writer(target.path, container=target.container) as writer:
        for part in parts:
            for line in part.read_bytes().splitlines():
                writer.write(orjson.loads(line))


def _decided(pipeline: Pipeline) -> dict[str, dict[str, Any]]:
    """What each global step's decision counted, warned about and reported, by step name."""
    found = {}
    for s, segment in enumerate(pipeline.segments):
        if segment.gate is not None:
            found[segment.gate[0]] = read_json(pipeline.work / f"s{s:02d}" / "decided.json")
    return found


def _step_totals(
    recipe: Recipe, metas: list[list[dict[str, Any]]], decided: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    names = ["read", *(s.name for s in recipe.steps), "write"]
    ids = {s.name: s.id for s in recipe.steps}
    totals: dict[str, dict[str, Any]] = {}
    for seg in metas:
        for meta in seg:
            for name, c in meta["steps"].items():
                t = totals.setdefault(
                    name,
                    {"in": 0, "added": 0, "kept": 0, "rejected": {}, "seconds": 0.0, "counts": {}},
                )
                t["in"] += c["in"]
                t["added"] += c.get("added", 0)
                t["kept"] += c["kept"]
                t["seconds"] += c["seconds"]
                t["rejected"] = _sum_dicts([t["rejected"], c["rejected"]])
                t["counts"] = _sum_dicts([t["counts"], c["counts"]])
                noted = t.setdefault("warnings", [])
                noted += [w for w in c.get("warnings", ()) if w not in noted]
    out = []
    for name in names:
        if name not in totals and name in ("read", "write"):
            continue
        t = totals.get(
            name, {"in": 0, "added": 0, "kept": 0, "rejected": {}, "seconds": 0.0, "counts": {}}
        )
        shard_warnings = t.pop("warnings", [])
        if name != "read" and t["in"] + t["added"] != t["kept"] + sum(t["rejected"].values()):
            raise FtprepError(f"accounting error in step {name}: {t}")
        t["seconds"] = round(t["seconds"], 3)
        entry = {"name": name, "step": ids.get(name, name), **t}
        if shard_warnings:
            entry["warnings"] = shard_warnings
        if name in decided:
            entry["counts"] = _sum_dicts([t["counts"], decided[name]["counts"]])
            entry["warnings"] = shard_warnings + decided[name]["warnings"]
            if decided[name]["report"]:
                entry["report"] = decided[name]["report"]
        out.append(entry)
    return out


def _sum_dicts(dicts: Any) -> dict[str, int]:
    total: dict[str, int] = {}
    for d in dicts:
        for k, v in d.items():
            total[k] = total.get(k, 0) + v
    return dict(sorted(total.items()))


def _manifest(
    recipe: Recipe,
    sources: list[Source],
    outputs: list[dict[str, Any]],
    result: RunResult,
    hashes: dict[str, str],
    output_hashes: dict[str, str],
) -> dict[str, Any]:
    """``hashes``: the inputs' sha256 taken while they were cut; ``output_hashes``: the
    outputs' taken while they were joined."""
    versions = {}
    for name in DEPENDENCIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return {
        "ftprep": __version__,
        "python": platform.python_version(),
        "dependencies": versions,
        "recipe": recipe.resolved(),
        "recipe_sha256": recipe.fingerprint(),
        "seed": recipe.options.seed,
        "inputs": [
            {
                "path": s.origin or str(s.path),
                "format": s.format.name,
                "container": s.container,
                "sha256": _input_hash(s, hashes),
            }
            for s in sources
        ],
        **({"collect": result.collected} if result.collected else {}),
        "outputs": [
            {**o, "sha256": output_hashes.get(o["path"]) or hash_path(Path(o["path"]))}
            for o in outputs
        ],
        "rejects": {"path": result.rejects, "rows": result.rejected},
        "counts": {
            "read": result.read,
            "added": result.added,
            "written": result.written,
            "rejected": result.rejected,
        },
        "steps": [
            {k: s[k] for k in ("name", "step", "in", "kept", "rejected")} for s in result.steps
        ],
        **({"llm": usage} if (usage := llm_usage(result.steps)) else {}),
    }


def _input_hash(source: Source, hashes: dict[str, str]) -> str | None:
    """The input file's hash (a collected file's: the log's; a database has none); ``hashes``
    holds those taken while the inputs were cut into shards."""
    if source.origin is None:
        return hashes.get(source.name) or hash_path(source.path)
    origin = Path(source.origin)
    return hash_path(origin) if origin.exists() else None


def llm_usage(steps: list[dict[str, Any]]) -> dict[str, Any]:
    """What the LLM steps of a run spent, from their ``llm.*`` counts: requests, cache hits,
    retries, failures, tokens and cost, in total and by step ({} when no LLM step ran)."""
    by_step: dict[str, dict[str, Any]] = {}
    for step in steps:
        mine = {k[4:]: v for k, v in step.get("counts", {}).items() if k.startswith("llm.")}
        if mine:
            by_step[step["name"]] = mine
    if not by_step:
        return {}
    total: dict[str, Any] = {}
    for mine in by_step.values():
        for key, value in mine.items():
            total[key] = total.get(key, 0) + value
    if "cost" in total:
        total["cost"] = round(total["cost"], 6)
    return {**dict(sorted(total.items())), "by_step": by_step}
