"""balance: caps, copies up to a floor, composition targets, and runs that count the copies."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import orjson
import pytest

from ftprep.engine import parse_recipe, run
from ftprep.record import Record
from ftprep.steps.base import Mark, Reject, Signed
from ftprep.steps.dataset.balance import Balancer

SIZES = {"common": 500, "edge_case": 100, "refusal": 20}


def _records(seed: int = 0) -> list[Record]:
    rng = random.Random(seed)
    out = []
    for kind, n in SIZES.items():
        for k in range(n):
            record = Record.from_dict(
                {
                    "messages": [
                        {"role": "user", "content": f"{kind} question {k} {rng.random():.5f}"},
                        {"role": "assistant", "content": f"answer {k}"},
                    ],
                    "metadata": {"type": kind, "rating": rng.randint(1, 5)},
                }
            )
            record.id = f"{kind}-{k}"
            out.append(record)
    rng.shuffle(out)
    return out


def _decide(step: Balancer, records: list[Record]) -> dict[str, Reject | Mark]:
    half = len(records) // 2
    signed = [
        Signed(k, [f"in:{i}" for i in range(len(p))], [r.id for r in p], tuple(step.sign(p)))
        for k, p in enumerate((records[:half], records[half:]))
    ]
    return {
        records[pos.shard * half + pos.item].id or "": outcome
        for pos, outcome in step.decide_shards(signed)
    }


def test_caps_drop_a_stable_sample() -> None:
    records = _records()
    step = Balancer(field="metadata.type", max_per_class=200)
    got = _decide(step, records)
    dropped = Counter(o.value for o in got.values() if isinstance(o, Reject))
    assert dropped == {"common": 300}
    assert all(o.code == "downsampled" and "kept 200 of 500" in (o.detail or "")
               for o in got.values() if isinstance(o, Reject))  # fmt: skip
    report = step.take_stats().report
    assert report["before"] == SIZES and report["after"]["common"] == 200
    assert report["imbalance_before"] == 25.0 and report["imbalance_after"] == 10.0
    reordered = _records()
    random.Random(5).shuffle(reordered)
    assert _decide(Balancer(field="metadata.type", max_per_class=200), reordered).keys() == (
        got.keys()
    )
    by_rating = _decide(Balancer(field="metadata.type", max_per_class=200, keep="rating"), records)
    ratings = {r.id: r.metadata["rating"] for r in records}
    kept = [ratings[r.id] for r in records if r.id not in by_rating and r.id.startswith("common")]
    gone = [ratings[i] for i, o in by_rating.items() if isinstance(o, Reject)]
    assert min(kept) >= max(gone)


def test_floors_copy_records_up_to_max_copies_and_warn() -> None:
    step = Balancer(field="metadata.type", min_per_class=60, max_copies=2)
    got = _decide(step, _records())
    copies = Counter()
    for rid, outcome in got.items():
        assert isinstance(outcome, Mark)
        copies[rid.split("-")[0]] += outcome.copies
        assert outcome.copies <= 1
    assert copies == {"refusal": 20}  # 20 records, each at most twice: 40, not 60
    assert any("upsampled to 40, not 60" in w for w in step.take_stats().warnings)


def test_composition_is_reported_and_enforced() -> None:
    targets = {"common": 0.6, "edge_case": 0.2, "refusal": 0.2}
    step = Balancer(field="metadata.type", targets=targets)
    assert _decide(step, _records()) == {}
    stats = step.take_stats()
    assert stats.report["composition"]["refusal"]["before"] == pytest.approx(20 / 620, abs=1e-3)
    assert any("'refusal' is 3% of the listed classes, target 20%" in w for w in stats.warnings)
    step = Balancer(field="metadata.type", targets=targets, enforce=True)
    got = _decide(step, _records())
    assert step.take_stats().report["after"] == {"common": 60, "edge_case": 20, "refusal": 20}
    assert Counter(o.value for o in got.values() if isinstance(o, Reject)) == {
        "common": 440,
        "edge_case": 80,
    }


def test_parameters_are_checked() -> None:
    with pytest.raises(ValueError, match="enforce needs targets"):
        Balancer(enforce=True)
    with pytest.raises(ValueError, match="above max_per_class"):
        Balancer(min_per_class=10, max_per_class=5)


def test_a_run_counts_copies_and_is_the_same_for_any_worker_count(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_bytes(b"".join(orjson.dumps(r.to_dict()) + b"\n" for r in _records()))
    seen = []
    for workers in (1, 2):
        data = {
            "version": 1,
            "inputs": [str(src)],
            "output_dir": str(tmp_path / f"w{workers}"),
            "outputs": ["out.jsonl"],
            "options": {"chunk_size": 100},
            "steps": [
                {"balance": {"field": "metadata.type", "max_per_class": 300, "min_per_class": 50}}
            ],
        }
        result = run(parse_recipe(data, base_dir=tmp_path), workers=workers)
        assert (result.read, result.added, result.rejected) == (620, 20, 200)  # 20 x 2 < 50
        assert result.written == 620 + 20 - 200
        rows = [
            orjson.loads(x)
            for x in (tmp_path / f"w{workers}" / "out.jsonl").read_bytes().splitlines()
        ]
        copies = [r for r in rows if "copy_of" in r["metadata"]]
        assert len(copies) == 20 and all(r["id"].endswith("#copy1") for r in copies)
        assert all(r["id"] == r["metadata"]["copy_of"] + "#copy1" for r in copies)
        stats = orjson.loads((tmp_path / f"w{workers}" / "stats.json").read_bytes())
        assert stats["added"] == 20
        assert any("upsampled to 40, not 50" in w for w in stats["warnings"])
        step = next(s for s in stats["steps"] if s["name"] == "balance")
        assert step["in"] + step["added"] == step["kept"] + sum(step["rejected"].values())
        seen.append((tmp_path / f"w{workers}" / "out.jsonl").read_bytes())
    assert seen[0] == seen[1]
