"""What a run writes about its output once it is written: the statistics (``dataset.stats``, or
the defaults when a report is wanted), what ``validate`` finds in it, the report, the dataset
card with the trainers' files, and the review page."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ftprep.engine.files import write_atomic
from ftprep.engine.layout import RunLayout
from ftprep.engine.plan import OutputTarget
from ftprep.engine.recipe import Recipe
from ftprep.engine.yamlfile import RecipeError
from ftprep.reading import open_source, records_of
from ftprep.record import Record
from ftprep.steps import Step
from ftprep.steps.dataset.stats import DatasetStats

if TYPE_CHECKING:
    from ftprep.engine.run import RunResult
    from ftprep.report.review import ReviewSampler

#: examples on the review page a recipe run writes
REVIEW_SAMPLE = 50


def describe(
    recipe: Recipe,
    layout: RunLayout,
    first: OutputTarget,
    stats: dict[str, Any],
    result: RunResult,
    measure: DatasetStats | None,
) -> ReviewSampler | None:
    """Measure the first output into ``stats["dataset"]`` (its warnings into the run's) and
    validate it into ``stats["output_validation"]``, as far as the step and the layout ask;
    returns the review page's sample, drawn on the same pass."""
    if measure is None and layout.report is not None:
        measure = DatasetStats()  # the report shows the dataset: measured with the defaults
    checking = None
    if layout.report is not None or layout.card is not None:  # in another process, meanwhile
        checking = _background(_validation, first)
    sampler = None
    if layout.card is not None:  # the review page's sample rides along the statistics' pass
        from ftprep.report.review import ReviewSampler

        sampler = ReviewSampler(
            REVIEW_SAMPLE, stratify="metadata.category", seed=recipe.options.seed
        )
    if measure is not None:
        written = open_source(first.path, fmt=first.format.name, container=first.container)
        started = time.perf_counter()
        dataset = measure.measure(_fed(records_of(written), sampler))
        stats["dataset"] = dataset
        for step in result.steps:  # its row of the summary: the records it measured
            if step["step"] == DatasetStats.id:
                step["in"] = step["kept"] = dataset["records"]
                step["seconds"] = round(time.perf_counter() - started, 3)
        result.warnings += [f"dataset: {w}" for w in dataset["warnings"]]
        stats["warnings"] = result.warnings
    if checking is not None:
        stats["output_validation"] = checking.result()
    return sampler


def publish(
    recipe: Recipe,
    layout: RunLayout,
    outputs: list[OutputTarget],
    stats: dict[str, Any],
    manifest: dict[str, Any],
    sampler: ReviewSampler | None,
    result: RunResult,
) -> None:
    """The report, the card with the trainers' files and the review page, as the layout asks."""
    if layout.report is not None:
        _write_report(layout.report, recipe, stats, layout.rejects, outputs[0])
        result.report = str(layout.report)
    if layout.card is not None:
        _write_card(layout.card, recipe, stats, manifest, outputs)
        assert sampler is not None
        _write_review_page(layout.card / "review.html", outputs[0], sampler)


def _write_report(
    path: Path, recipe: Recipe, stats: dict[str, Any], rejects: Path, first: OutputTarget
) -> None:
    """``report.html`` of the run (see :mod:`ftprep.report.html`)."""
    from ftprep.report.html import render_report, sample_rejects

    errors = (stats.get("output_validation") or {}).get("errors")
    page = render_report(
        title=f"ftprep report: {Path(recipe.file).name} -> {first.path.name}",
        run=stats,
        dataset=stats.get("dataset"),
        rejected=sample_rejects(rejects),
        validation_errors=errors,
        recipe_steps=[s.id for s in recipe.steps],
    )
    write_atomic(path, page.encode(), durable=True)


def _background(fn: Any, *args: Any) -> Any:
    """``fn(*args)`` started in a forked process; ``.result()`` waits for its value."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
    future = pool.submit(fn, *args)
    pool.shutdown(wait=False)  # the pool goes once the one task is done
    return future


def _validation(first: OutputTarget) -> dict[str, Any] | None:
    """What ``ftprep validate`` finds in the first output (OpenAI JSONL only), for the
    checklist of the report and the card."""
    if first.format.name != "openai" or first.container != "jsonl":
        return None
    from ftprep.validate import validate

    found = validate(first.path)
    return {"path": str(first.path), "errors": found.errors, "warnings": found.warnings}


def _write_card(
    folder: Path,
    recipe: Recipe,
    stats: dict[str, Any],
    manifest: dict[str, Any],
    outputs: list[OutputTarget],
) -> None:
    """The dataset card (README.md) and the trainers' files for the JSON outputs."""
    from ftprep.report.card import card_name, render_card, write_trainer_files
    from ftprep.report.trainers import relative_path

    name = card_name(recipe.card, recipe.out_dir)
    written = [t for t in outputs if t.container in ("jsonl", "json")]
    # the trainers get one file per split (the others hold the same records in other formats)
    firsts: dict[str | None, OutputTarget] = {}
    for t in written:
        firsts.setdefault(t.split, t)
    snippets = write_trainer_files(
        folder, [(t.path, t.format.name, t.split) for t in firsts.values()], name
    )
    files = [(relative_path(t.path, folder), t.format.name, t.split) for t in written]
    text = render_card(
        spec=recipe.card, name=name, run=stats, manifest=manifest, outputs=files, snippets=snippets
    )
    write_atomic(folder / "README.md", text.encode(), durable=True)


def _write_review_page(path: Path, first: OutputTarget, sampler: ReviewSampler) -> None:
    """``review.html``: examples of the first output for people to rate, by category."""
    from ftprep.report.review import render_review_page

    page = render_review_page(
        sampler.chosen(),
        title=f"Review: {first.path.name}",
        page_id=f"{first.path.name}:{sampler.seed}:{sampler.n}",
        stratify=sampler.stratify,
    )
    write_atomic(path, page.encode())


def _fed(records: Iterator[Record], sampler: ReviewSampler | None) -> Iterator[Record]:
    """``records``, each also given to ``sampler`` on the way."""
    for record in records:
        if sampler is not None:
            sampler.add(record)
        yield record


def stats_step(recipe: Recipe, steps: list[tuple[str, Step]]) -> DatasetStats | None:
    """The recipe's ``dataset.stats`` step, which must come last (it describes the output)."""
    found = [(k, s) for k, (_, s) in enumerate(steps) if isinstance(s, DatasetStats)]
    if not found:
        return None
    if len(found) > 1 or found[0][0] != len(steps) - 1:
        raise RecipeError(
            "dataset.stats describes what the run writes: use it once, as the last step",
            file=recipe.file,
            key="steps",
        )
    return found[0][1]
