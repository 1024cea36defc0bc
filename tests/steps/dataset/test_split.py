"""split: exact shares, stable under reordering, stratified, grouped, leakage, warnings, runs."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner

from ftprep.cli import cli
from ftprep.engine import parse_recipe, run
from ftprep.engine.yamlfile import RecipeError
from ftprep.jobs import split
from ftprep.record import Record
from ftprep.steps.base import Mark, Reject, Signed
from ftprep.steps.dataset.split import Splitter

TOPICS = ["billing", "shipping", "returns", "account", "outage"]


def _record(i: int, rng: random.Random, **meta: object) -> Record:
    words = " ".join(rng.choice(["order", "parcel", "refund", "login", "router"]) for _ in range(6))
    record = Record.from_dict(
        {
            "id": f"r{i:05d}",
            "messages": [
                {"role": "user", "content": f"Question {i}: {words} {rng.random():.6f}"},
                {"role": "assistant", "content": f"Answer {i} about {words}."},
            ],
            "metadata": meta,
        }
    )
    return record


def _dataset(n: int = 1000, seed: int = 1) -> list[Record]:
    rng = random.Random(seed)
    return [
        _record(
            i,
            rng,
            category=TOPICS[min(int(rng.expovariate(1.0)), 4)],  # unbalanced
            session=f"s{i // 4}",  # four records per session
        )
        for i in range(n)
    ]


def _splits(step: Splitter, records: list[Record], shards: int = 3) -> dict[str, object]:
    """id -> split name (or the Reject) after the step's decision over ``shards`` shards."""
    size = -(-len(records) // shards)
    signed = []
    for k in range(shards):
        part = records[k * size : (k + 1) * size]
        wheres = [f"in.jsonl:{k * size + i + 1}" for i in range(len(part))]
        signed.append(Signed(k, wheres, [r.id for r in part], tuple(step.sign(part))))
    out: dict[str, object] = {}
    for position, outcome in step.decide_shards(signed):
        rid = records[position.shard * size + position.item].id
        assert rid is not None
        out[rid] = outcome.metadata["split"] if isinstance(outcome, Mark) else outcome
    return out


def test_exact_shares_and_stable_under_reordering() -> None:
    records = _dataset()
    first = _splits(Splitter(), records)
    assert Counter(first.values()) == {"train": 800, "validation": 100, "test": 100}
    shuffled = list(records)
    random.Random(7).shuffle(shuffled)
    assert _splits(Splitter(), shuffled, shards=5) == first
    assert _splits(Splitter(seed=1), records) != first


def test_stratified_shares_hold_in_every_stratum() -> None:
    records = _dataset()
    got = _splits(Splitter(stratify="metadata.category"), records)
    per: dict[str, Counter[object]] = defaultdict(Counter)
    for r in records:
        per[r.metadata["category"]][got[r.id or ""]] += 1
    for topic, counts in per.items():
        total = sum(counts.values())
        for name, share in (("train", 0.8), ("validation", 0.1), ("test", 0.1)):
            assert abs(counts[name] - share * total) <= 1, (topic, counts)


def test_groups_stay_together_and_still_stratify() -> None:
    records = _dataset()
    got = _splits(Splitter(group="metadata.session", stratify="metadata.category"), records)
    by_session: dict[str, set[object]] = defaultdict(set)
    for r in records:
        by_session[r.metadata["session"]].add(got[r.id or ""])
    assert all(len(s) == 1 for s in by_session.values())
    sizes = Counter(got.values())
    assert abs(sizes["train"] - 800) <= 8 and abs(sizes["test"] - 100) <= 8


def _with_leaks() -> tuple[list[Record], dict[str, str]]:
    """Records plus 30 copies under other ids: exact copies of the prompt, and copies with a
    few words added (near-duplicates); returns the records and copy id -> source id."""
    records = _dataset(400)
    rng = random.Random(3)
    origin = {}
    for k in range(30):
        source = records[k * 7]
        copy = Record.from_dict(source.to_dict())
        copy.id = f"copy{k}"
        if k % 2:
            copy.messages[0].content += " thanks a lot"
        origin[copy.id] = source.id or ""
        records.insert(rng.randrange(len(records)), copy)
    return records, origin


def test_leakage_is_reported_moved_or_dropped() -> None:
    records, origin = _with_leaks()
    step = Splitter(leakage="report", leakage_threshold=0.5, ngram=2)
    got = _splits(step, records)
    stats = step.take_stats()
    leaks = stats.report["leaks"]
    assert leaks["exact"] > 0 and leaks["near"] > 0
    for pair in leaks["listed"]:
        assert got[pair["a"]] != got[pair["b"]]  # only pairs across splits are listed
    listed = {frozenset((p["a"], p["b"])) for p in leaks["listed"]}
    for copy, source in origin.items():  # every pair split apart is there, one way or another
        if got[copy] != got[source]:
            assert any(copy in pair or source in pair for pair in listed)
    assert any("leak across splits" in w for w in stats.warnings)

    moved = _splits(Splitter(leakage="move", leakage_threshold=0.5, ngram=2), records)
    assert all(moved[copy] == moved[source] for copy, source in origin.items())

    dropped = _splits(Splitter(leakage="drop", leakage_threshold=0.5, ngram=2), records)
    rejects = {rid: o for rid, o in dropped.items() if isinstance(o, Reject)}
    assert rejects and all(o.code == "leakage" for o in rejects.values())
    for reject in rejects.values():
        twin_split = dropped[reject.value]
        assert isinstance(twin_split, str)
        assert f"in split {twin_split}" in (reject.detail or "")
    kept = {rid: o for rid, o in dropped.items() if not isinstance(o, Reject)}
    for copy, source in origin.items():  # what is left of each pair shares one split
        if copy in kept and source in kept:
            assert kept[copy] == kept[source]


def test_small_splits_and_thin_strata_warn() -> None:
    step = Splitter(stratify="metadata.category")
    _splits(step, _dataset(200))
    warnings = step.take_stats().warnings
    assert any("split validation has 20 records" in w for w in warnings)
    assert any("split test has" in w for w in warnings)
    assert any(w.startswith("stratum 'outage'") for w in warnings) or all(
        "stratum" not in w for w in warnings
    )


def test_names_and_ratios_are_checked() -> None:
    assert Splitter(ratios=[8, 2]).params.split_names() == ["train", "test"]
    assert Splitter(ratios=[1, 1, 1, 1]).params.split_names()[3] == "split3"
    with pytest.raises(ValueError, match="2 names for 3 ratios"):
        Splitter(names=["a", "b"])
    with pytest.raises(ValueError, match="positive"):
        Splitter(ratios=[1.0, 0.0])


def _write(records: list[Record], path: Path) -> Path:
    path.write_bytes(b"".join(orjson.dumps(r.to_dict()) + b"\n" for r in records))
    return path


def test_a_recipe_writes_one_output_per_split_for_any_worker_count(tmp_path: Path) -> None:
    src = _write(_dataset(3000), tmp_path / "in.jsonl")
    seen = []
    for workers in (1, 2):
        steps = [{"split": {"stratify": "metadata.category", "group": "metadata.session"}}]
        outputs = ["{split}.jsonl", {"path": "all.jsonl"}]
        result = _run(src, tmp_path / f"w{workers}", workers, 500, steps, outputs)
        assert result.read == result.written == 3000
        folder = tmp_path / f"w{workers}"
        files = {n: (folder / f"{n}.jsonl").read_bytes() for n in ("train", "validation", "test")}
        lines = {n: [orjson.loads(x) for x in b.splitlines()] for n, b in files.items()}
        assert sum(len(v) for v in lines.values()) == 3000
        assert all(r["metadata"]["split"] == n for n, rows in lines.items() for r in rows)
        assert len((folder / "all.jsonl").read_bytes().splitlines()) == 3000
        stats = orjson.loads((folder / "stats.json").read_bytes())
        split_stats = next(s for s in stats["steps"] if s["name"] == "split")
        assert split_stats["report"]["sizes"] == {n: len(v) for n, v in lines.items()}
        seen.append(files)
    assert seen[0] == seen[1]


def test_shards_emptied_before_the_split_are_signed_as_empty(tmp_path: Path) -> None:
    """A filter before the split drops every record of some shards: those sign nothing."""
    records = _dataset(60)
    for r in records[10:30]:  # shards 1 and 2 of 10 records each: all too short
        r.messages[0].content = r.messages[1].content = "x"
    src = _write(records, tmp_path / "in.jsonl")
    for workers in (1, 2):
        steps = [{"filter.length": {"min": 5}}, "split"]
        result = _run(src, tmp_path / f"w{workers}", workers, 10, steps, ["{split}.jsonl"])
        assert (result.read, result.written, result.rejected) == (60, 40, 20)


def _run(
    src: Path, out: Path, workers: int, chunk_size: int, steps: list[Any], outputs: list[Any]
) -> Any:
    """A recipe of ``steps`` over ``src`` run into ``out``."""
    data = {
        "version": 1,
        "inputs": [str(src)],
        "output_dir": str(out),
        "outputs": outputs,
        "options": {"chunk_size": chunk_size},
        "steps": steps,
    }
    return run(parse_recipe(data, base_dir=out.parent), workers=workers)


def test_recipes_route_every_split_somewhere(tmp_path: Path) -> None:
    base = {"version": 1, "inputs": ["in.jsonl"], "steps": ["split"]}
    with pytest.raises(RecipeError, match="needs a split step"):
        parse_recipe({**base, "steps": [], "outputs": ["{split}.jsonl"]})
    with pytest.raises(RecipeError, match="no output takes split"):
        parse_recipe({**base, "outputs": [{"path": "t.jsonl", "split": "train"}]})
    recipe = parse_recipe({**base, "outputs": ["data/{split}.jsonl"]})
    assert [(o.path, o.split) for o in recipe.outputs] == [
        ("data/train.jsonl", "train"),
        ("data/validation.jsonl", "validation"),
        ("data/test.jsonl", "test"),
    ]


def test_split_command(tmp_path: Path) -> None:
    src = _write(_dataset(500), tmp_path / "in.jsonl")
    out = tmp_path / "splits"
    result = CliRunner().invoke(
        cli,
        ["split", str(src), str(out), "--ratios", "0.9,0.1", "--group", "metadata.session",
         "--no-progress", "--workers", "1"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (out / "train.jsonl").exists() and (out / "test.jsonl").exists()
    assert "split test has 50 records" not in result.output
    job = split(src, tmp_path / "again", params={"ratios": [0.9, 0.1]}, workers=1)
    assert job.written == 500
