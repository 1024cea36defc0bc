"""The one-shot jobs behind ``ftprep apply``, ``ftprep clean`` and ``ftprep pii``.

Each builds a recipe (one step, the cleaning preset, the PII step) and runs it with the engine, so
a one-shot command and the same steps in a recipe give the same output. Outputs sit beside ``dst``:
``dst`` itself, ``<dst>.rejects.jsonl``, ``<dst>.stats.json`` and ``<dst>.manifest.json``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ftprep.engine import RunLayout, RunResult, parse_recipe, run
from ftprep.engine.presets import clean_steps, one_shot_recipe
from ftprep.engine.recipe import Recipe


def one_shot(
    src: str | os.PathLike[str],
    dst: str | os.PathLike[str],
    steps: list[Any],
    *,
    overrides: list[str] | None = None,
    workers: int | str | None = None,
    resume: bool = False,
    progress: bool = False,
    report: bool = False,
    **options: Any,
) -> RunResult:
    recipe = build_one_shot(src, dst, steps, overrides=overrides, **options)
    return run(
        recipe, workers=workers, resume=resume, progress=progress, layout=_beside(dst, report)
    )


def _beside(dst: str | os.PathLike[str], report: bool) -> RunLayout:
    """A one-shot command's layout: everything beside ``dst``; the report only when asked."""
    layout = RunLayout.beside(Path(dst).resolve())
    return layout if report else layout.without_report()


def build_one_shot(
    src: str | os.PathLike[str],
    dst: str | os.PathLike[str],
    steps: list[Any],
    *,
    overrides: list[str] | None = None,
    **options: Any,
) -> Recipe:
    data = one_shot_recipe(str(Path(src).resolve()), str(Path(dst).resolve()), steps, **options)
    return parse_recipe(data, file="<command line>", overrides=overrides)


def collect(
    kind: str,
    spec: dict[str, Any],
    dst: str | os.PathLike[str],
    *,
    steps: list[Any] | None = None,
    to: str = "openai",
    overrides: list[str] | None = None,
    workers: int | str | None = None,
    resume: bool = False,
    progress: bool = False,
    report: bool = False,
) -> RunResult:
    """Collect conversations into ``dst`` through ``steps`` (if any): ``kind`` is ``logs``
    (``spec``: the fields of :class:`~ftprep.collect.LogSpec`) or ``sql``
    (:class:`~ftprep.collect.sql.SqlSpec`)."""
    data = one_shot_recipe("", str(Path(dst).resolve()), steps or [], to=to)
    data["inputs"] = [{kind: spec}]
    recipe = parse_recipe(data, file="<command line>", overrides=overrides)
    return run(
        recipe, workers=workers, resume=resume, progress=progress, layout=_beside(dst, report)
    )


def apply(
    step_id: str,
    src: str | os.PathLike[str],
    dst: str | os.PathLike[str],
    params: dict[str, Any] | None = None,
    **kwargs: Any,
) -> RunResult:
    """Run the registered step ``step_id`` over ``src`` into ``dst``."""
    return one_shot(src, dst, [{step_id: params or {}}], **kwargs)


def clean(
    src: str | os.PathLike[str],
    dst: str | os.PathLike[str],
    *,
    skip_groups: set[str] | frozenset[str] = frozenset(),
    skip_steps: set[str] | frozenset[str] = frozenset(),
    **kwargs: Any,
) -> RunResult:
    """The default cleaning preset (normalization, quality filters, PII redaction, exact dedup)."""
    return one_shot(src, dst, clean_steps(set(skip_groups), set(skip_steps)), **kwargs)


def redact_pii(
    src: str | os.PathLike[str],
    dst: str | os.PathLike[str],
    *,
    mode: str = "redact",
    types: list[str] | None = None,
    **kwargs: Any,
) -> RunResult:
    """Find PII in every turn and redact, mask, hash or pseudonymize it, or drop the record."""
    params: dict[str, Any] = {"mode": mode}
    if types:
        params["types"] = types
    return one_shot(src, dst, [{"pii.redact": params}], **kwargs)


DEDUP_METHODS = {"exact": "dedup.exact", "minhash": "dedup.minhash", "semantic": "dedup.semantic"}


def dedup(
    src: str | os.PathLike[str],
    dst: str | os.PathLike[str],
    *,
    method: str = "exact",
    params: dict[str, Any] | None = None,
    **kwargs: Any,
) -> RunResult:
    """Drop duplicates (``exact``) or near-duplicates (``minhash``) of ``src`` into ``dst``;
    ``params`` are the step's (threshold, scope, keep, ...)."""
    if method not in DEDUP_METHODS:
        raise ValueError(f"unknown dedup method {method!r}; use one of {', '.join(DEDUP_METHODS)}")
    return one_shot(src, dst, [{DEDUP_METHODS[method]: params or {}}], **kwargs)


def split(
    src: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    params: dict[str, Any] | None = None,
    fmt: str | None = None,
    to: str = "openai",
    overrides: list[str] | None = None,
    workers: int | str | None = None,
    resume: bool = False,
    progress: bool = False,
    report: bool = False,
) -> RunResult:
    """Split ``src`` into ``out_dir/{train,validation,test}.jsonl`` (names and shares from
    ``params``), with rejects, stats and manifest (and with ``report``, report.html) in
    ``out_dir``."""
    folder = Path(out_dir).resolve()
    data = one_shot_recipe(
        str(Path(src).resolve()),
        str(folder / "{split}.jsonl"),
        [{"split": params or {}}],
        fmt=fmt,
        to=to,
    )
    data["output_dir"] = str(folder)
    recipe = parse_recipe(data, file="<command line>", overrides=overrides)
    layout = RunLayout.in_folder(recipe)
    if not report:
        layout = layout.without_report()
    return run(recipe, workers=workers, resume=resume, progress=progress, layout=layout)


def judge(
    src: str | os.PathLike[str],
    dst: str | os.PathLike[str],
    *,
    params: dict[str, Any] | None = None,
    **kwargs: Any,
) -> RunResult:
    """Rate every conversation of ``src`` with an LLM judge (``llm.judge``; ``params`` are its
    criteria, thresholds, action, samples and ``llm`` settings) into ``dst``."""
    return one_shot(src, dst, [{"llm.judge": params or {}}], **kwargs)


def generate(
    seeds: str | os.PathLike[str],
    dst: str | os.PathLike[str],
    *,
    task: str,
    n: int,
    params: dict[str, Any] | None = None,
    near_threshold: float = 0.8,
    **kwargs: Any,
) -> RunResult:
    """About ``n`` new examples for ``task`` written from the records of ``seeds`` (each seed
    gets ``ceil(n / seeds)``), kept with the seeds in ``dst``; new examples that repeat a seed
    or each other (exactly, or at MinHash similarity ``near_threshold``) go to the rejects. The
    result's warnings say the synthetic share of what was written."""
    import math

    from ftprep.reading import iter_records, open_source
    from ftprep.record import Record

    count = sum(1 for r in iter_records(open_source(Path(seeds))) if isinstance(r, Record))
    if count == 0:
        raise ValueError(f"{seeds}: no seed examples to generate from")
    step = {"task": task, "per_seed": max(1, math.ceil(n / count)), **(params or {})}
    steps = [
        {"llm.generate": step},
        "dedup.exact",
        {"dedup.minhash": {"threshold": near_threshold, "mark": False}},
    ]
    result = one_shot(seeds, dst, steps, **kwargs)
    synthetic = sum(
        1
        for r in iter_records(open_source(Path(dst)))
        if isinstance(r, Record) and r.metadata.get("synthetic") is True
    )
    if result.written:
        share = synthetic / result.written
        result.warnings.append(
            f"synthetic share: {synthetic:,} of {result.written:,} records written ({share:.0%})"
        )
    return result
