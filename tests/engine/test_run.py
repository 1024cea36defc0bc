"""Runs: accounting, rejects with reasons, stats, manifest, and the same output for any worker count."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import orjson
import pytest

from ftprep.demo import generate_messy_chats
from ftprep.engine import RunLayout, parse_recipe, run
from ftprep.engine.worker import StepFailure
from ftprep.record import Record
from ftprep.steps import STEPS, TransformStep


class ExplodingStep(TransformStep):
    """Raise on every record whose first user text mentions a refund.

    Reads: the first user message. Writes: nothing. Drops: nothing by itself.
    """

    id: ClassVar[str] = "test.explode"

    def transform(self, record: Record) -> Record:
        users = [m.text for m in record.messages if m.role == "user"]
        if users and "refund" in users[0].lower():
            raise ValueError("boom on a refund")
        return record


@pytest.fixture(scope="module")
def messy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("data") / "messy.jsonl"
    generate_messy_chats(path, n=600, seed=3)
    return path


def recipe_data(src: Path, **options: object) -> dict[str, object]:
    return {
        "version": 1,
        "inputs": [str(src)],
        "outputs": ["train.jsonl", {"path": "train.sharegpt.json", "format": "sharegpt"}],
        "options": {"chunk_size": 37, **options},
        "steps": [{"filter.length": {"max": 3000}}, "dedup.exact", {"filter.length": {"min": 20}}],
    }


def run_in(tmp: Path, data: dict[str, object], workers: int) -> tuple[object, RunLayout]:
    recipe = parse_recipe(data, base_dir=tmp)
    return run(recipe, workers=workers), RunLayout.in_folder(recipe)


def test_accounting_rejects_stats_and_manifest(messy: Path, tmp_path: Path) -> None:
    result, layout = run_in(tmp_path, recipe_data(messy), workers=1)
    assert result.read == 600 + 0  # one record per line of the messy file
    assert result.read == result.written + result.rejected
    rejects = [orjson.loads(line) for line in layout.rejects.read_bytes().splitlines()]
    assert len(rejects) == result.rejected
    by_step: dict[str, set[str]] = {}
    for r in rejects:
        assert set(r) == {"step", "code", "value", "detail", "file", "line", "record"}
        assert r["file"] == str(messy) and isinstance(r["line"], int)
        by_step.setdefault(r["step"], set()).add(r["code"])
    assert {"invalid_json", "not_an_object"} <= by_step["read"]
    assert by_step["filter.length"] == {"too_long"}
    assert by_step["dedup.exact"] == {"duplicate"}
    dup = next(r for r in rejects if r["code"] == "duplicate")
    assert dup["value"].startswith(f"{messy}:")  # names the record that was kept
    long = next(r for r in rejects if r["code"] == "too_long")
    assert long["value"] > 3000 and "max 3000" in long["detail"]
    stats = orjson.loads(layout.stats.read_bytes())
    assert stats["read"] == 600 and stats["written"] == result.written
    assert [s["name"] for s in stats["steps"]] == [
        "read",
        "filter.length",
        "dedup.exact",
        "filter.length#2",
    ]
    for step in stats["steps"]:
        assert step["in"] == step["kept"] + sum(step["rejected"].values())
    assert stats["outputs"][1]["rows"] == result.written
    manifest = orjson.loads(layout.manifest.read_bytes())
    assert (
        manifest["recipe_sha256"]
        == parse_recipe(recipe_data(messy), base_dir=tmp_path).fingerprint()
    )
    assert len(manifest["inputs"][0]["sha256"]) == 64
    assert manifest["inputs"][0]["format"] == "openai"
    assert manifest["counts"] == {
        "read": 600,
        "added": 0,
        "written": result.written,
        "rejected": result.rejected,
    }
    assert "pydantic" in manifest["dependencies"]
    lines = (tmp_path / "out" / "train.jsonl").read_bytes().splitlines()
    assert len(lines) == result.written
    assert not layout.work.exists()


def test_output_is_identical_for_any_worker_count(messy: Path, tmp_path: Path) -> None:
    outputs = []
    for workers in (1, 2, 3):
        folder = tmp_path / f"w{workers}"
        folder.mkdir()
        run_in(folder, recipe_data(messy), workers=workers)
        out = folder / "out"
        outputs.append(
            [
                (out / name).read_bytes()
                for name in ("train.jsonl", "train.sharegpt.json", "rejects.jsonl")
            ]
        )
    assert outputs[0] == outputs[1] == outputs[2]
    assert outputs[0][0]


def test_a_crashing_step_rejects_the_record_or_fails_the_run(
    messy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(STEPS, ExplodingStep.id, ExplodingStep)
    data = recipe_data(messy)
    data["steps"] = ["test.explode"]
    result, layout = run_in(tmp_path, data, workers=2)
    crashed = [
        orjson.loads(line)
        for line in layout.rejects.read_bytes().splitlines()
        if b'"step_error"' in line
    ]
    assert crashed and all(r["value"] == "ValueError: boom on a refund" for r in crashed)
    assert result.read == result.written + result.rejected
    data["options"] = {"on_error": "fail"}
    with pytest.raises(StepFailure, match=r"step test.explode failed at .*messy.jsonl:\d+"):
        run_in(tmp_path, data, workers=1)


def test_unconvertible_records_are_rejected_by_the_writer(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    rows = [
        {
            "messages": [
                {"role": "user", "content": "hi"},
                {"role": "assistant", "content": "hello"},
            ]
        },
        {"messages": [{"role": "user", "content": "still there?"}]},
    ]
    src.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    data = {
        "version": 1,
        "inputs": [str(src)],
        "outputs": ["a.jsonl", {"path": "b.jsonl", "format": "alpaca"}],
    }
    result, layout = run_in(tmp_path, data, workers=1)
    assert (result.read, result.written, result.rejected) == (2, 1, 1)
    (reject,) = [orjson.loads(x) for x in layout.rejects.read_bytes().splitlines()]
    assert reject["step"] == "write" and reject["code"] == "unconvertible"
    assert "ends with an assistant reply" in reject["detail"]
    # a record one output cannot hold is in no output, so every output has the same records
    assert len((tmp_path / "out" / "a.jsonl").read_bytes().splitlines()) == 1


class CountingExplodingStep(ExplodingStep):
    """Count every record it sees, then raise on refunds like ``test.explode``.

    Reads: the first user message. Writes: nothing. Drops: nothing by itself.
    """

    id: ClassVar[str] = "test.count_explode"

    def transform(self, record: Record) -> Record:
        self.count("seen")
        return super().transform(record)


def _stats_without_seconds(layout: RunLayout) -> list[dict[str, object]]:
    stats = orjson.loads(layout.stats.read_bytes())
    return [{k: v for k, v in s.items() if k != "seconds"} for s in stats["steps"]]


def _run_both_ways(
    tmp_path: Path, data: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> dict[bool, tuple[object, ...]]:
    """Run ``data`` with the steps after dedup run ahead of its decision, and after it."""
    from ftprep.engine.plan import Pipeline
    from ftprep.steps.dedup.exact import ExactDeduplicator

    seen = {}
    for drops_only in (True, False):
        monkeypatch.setattr(ExactDeduplicator, "drops_only", drops_only)
        folder = tmp_path / f"ahead-{drops_only}"
        folder.mkdir()
        recipe = parse_recipe(data, base_dir=folder)
        pipeline = Pipeline([], Pipeline.split(recipe.build_steps()), [], folder)
        assert pipeline.tail_render is drops_only
        result, layout = run_in(folder, data, workers=2)
        out = folder / "out"
        seen[drops_only] = (
            (out / "train.jsonl").read_bytes(),
            (out / "train.sharegpt.json").read_bytes(),
            layout.rejects.read_bytes(),
            _stats_without_seconds(layout),
            (result.read, result.written, result.rejected),
        )
    return seen


def test_steps_run_ahead_of_a_dropping_global_step_change_nothing(
    messy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Per-record steps after dedup run ahead of its decision on every record (duplicates
    included); outputs, rejects and every count must be those of running them after it."""
    monkeypatch.setitem(STEPS, CountingExplodingStep.id, CountingExplodingStep)
    data = recipe_data(messy)
    data["steps"] = [
        "dedup.exact",
        {"filter.length": {"min": 40}},
        "test.count_explode",
        {"pii.redact": {"mode": "mask"}},
    ]
    seen = _run_both_ways(tmp_path, data, monkeypatch)
    assert seen[True] == seen[False]
    steps = {s["name"]: s for s in seen[True][3]}  # type: ignore[attr-defined]
    assert steps["dedup.exact"]["rejected"]["duplicate"] > 0
    assert steps["filter.length"]["rejected"]["too_short"] > 0
    assert steps["test.count_explode"]["rejected"]["step_error"] > 0
    assert steps["test.count_explode"]["counts"]["seen"] == steps["test.count_explode"]["in"]
    assert steps["pii.redact"]["counts"]["records_with_pii"] > 0


class ShoutingExplodingStep(TransformStep):
    """Raise on a first user text that has REFUND in capitals.

    Reads: the first user message. Writes: nothing. Drops: nothing by itself.
    """

    id: ClassVar[str] = "test.explode_shout"

    def transform(self, record: Record) -> Record:
        if "REFUND" in next(m.text for m in record.messages if m.role == "user"):
            raise ValueError("boom on a shouted refund")
        return record


def test_a_step_run_ahead_fails_the_run_only_on_a_record_that_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(STEPS, ShoutingExplodingStep.id, ShoutingExplodingStep)

    def chat(user: str) -> dict[str, object]:
        return {
            "messages": [
                {"role": "user", "content": user},
                {"role": "assistant", "content": "Let me check that order for you."},
            ]
        }

    src = tmp_path / "in.jsonl"
    # the second is a duplicate of the first once case is folded: dedup drops it, so on its own
    # the crashing step never sees it
    rows = [chat("I want a refund"), chat("I WANT A REFUND"), chat("Where is my parcel?")]
    src.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    data = recipe_data(src, on_error="fail")
    data["steps"] = ["dedup.exact", "test.explode_shout"]
    seen = _run_both_ways(tmp_path, data, monkeypatch)
    assert seen[True] == seen[False]
    assert seen[True][4] == (3, 2, 1)
    src.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in [rows[1], rows[0]]))
    monkeypatch.setattr("ftprep.steps.dedup.exact.ExactDeduplicator.drops_only", True)
    with pytest.raises(StepFailure, match="boom on a shouted refund"):
        run_in(tmp_path / "ahead-True", data, workers=1)
