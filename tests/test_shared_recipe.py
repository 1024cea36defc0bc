"""Issue 3's done-when: every real file in ../shared/data runs through a recipe with every clean
step, and every record that does not come out is in the rejects with its step and reason."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from ftprep.engine import parse_recipe, run

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
pytestmark = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data is not here")
FILES = (
    sorted(p for p in SHARED.rglob("*.json*") if p.name != "dataset_info.json")
    if SHARED.is_dir()
    else []
)
ALL_STEPS = [
    "normalize.unicode",
    "normalize.whitespace",
    "normalize.quotes",
    {"filter.valid": {"target": "openai"}},
    {"filter.length": {"roles": ["user", "assistant", "text"], "max": 20000}},
    "filter.placeholder",
    "filter.refusal",
    "filter.error_reply",
    "filter.unseen_context",
    "filter.repetition",
    "filter.truncated",
    {"filter.language": {"allowed": ["en", "zh", "de", "fr", "es"]}},
    {"filter.metadata": {"expr": "not exists(rating) or rating >= 0"}},
    "dedup.exact",
    {"pii.redact": {"mode": "pseudonymize"}},
]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_file_runs_through_every_step(path: Path, tmp_path: Path) -> None:
    pytest.importorskip("py3langid")
    recipe = parse_recipe(
        {
            "version": 1,
            "inputs": [str(path)],
            "output_dir": str(tmp_path),
            "outputs": ["clean.jsonl"],
            "options": {"chunk_size": 250},
            "steps": ALL_STEPS,
        }
    )
    result = run(recipe, workers=2)
    assert result.read > 0
    assert result.read == result.written + result.rejected
    rejects = [orjson.loads(x) for x in (tmp_path / "rejects.jsonl").read_bytes().splitlines()]
    assert len(rejects) == result.rejected
    for r in rejects:
        assert r["step"] and r["code"] and r["file"] == str(path) and r["line"]
        assert r["record"] is not None
    stats = orjson.loads((tmp_path / "stats.json").read_bytes())
    names = [s["name"] for s in stats["steps"]]
    assert len([n for n in names if n not in ("read", "write")]) == len(ALL_STEPS)
    for step in stats["steps"]:
        assert step["in"] == step["kept"] + sum(step["rejected"].values()), step
        assert "step_error" not in step["rejected"], (step["name"], step["rejected"])
    written = (tmp_path / "clean.jsonl").read_bytes().splitlines()
    assert len(written) == result.written
    # what a person looks at: the report, the review page, the card and the trainers' files
    report = (tmp_path / "report.html").read_text()
    assert "Funnel" in report and "checklist" in report
    assert stats["dataset"]["records"] == result.written
    review = (tmp_path / "review.html").read_text()
    assert review.count('<section class="ex"') == min(50, result.written)
    card = (tmp_path / "README.md").read_text()
    assert card.startswith("---\nlicense:") and "## Processing" in card
    assert (tmp_path / "axolotl.yaml").exists() and (tmp_path / "dataset_info.json").exists()


def test_toy_chat_drops_are_the_planted_defects(tmp_path: Path) -> None:
    src = SHARED / "openai-cookbook" / "toy_chat_fine_tuning.jsonl"
    recipe = parse_recipe(
        {
            "version": 1,
            "inputs": [str(src)],
            "output_dir": str(tmp_path),
            "outputs": ["clean.jsonl"],
            "steps": ["filter.repetition", "pii.redact"],
        }
    )
    result = run(recipe, workers=1)
    (reject,) = [orjson.loads(x) for x in (tmp_path / "rejects.jsonl").read_bytes().splitlines()]
    assert reject["line"] == 5 and reject["code"] == "repetitive"
    assert result.written == 4


DATASET_STEPS = [
    {"dedup.exact": {"scope": "user", "keep": "longest"}},
    {"dedup.minhash": {"threshold": 0.7}},
    {
        "decontaminate": {
            "eval_files": [str(SHARED / "openai-cookbook" / "toy_chat_fine_tuning.jsonl")]
        }
    },
    {"balance": {"field": "metadata.category", "max_per_class": 400, "min_per_class": 5}},
    {"split": {"ratios": [0.8, 0.2], "leakage": "move", "min_size": 0}},
]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_file_runs_through_dedup_split_and_balance(path: Path, tmp_path: Path) -> None:
    """Issue 4: the same for dedup, decontamination, balance and splits (outputs per split)."""
    recipe = parse_recipe(
        {
            "version": 1,
            "inputs": [str(path)],
            "output_dir": str(tmp_path),
            "outputs": ["{split}.jsonl"],
            "options": {"chunk_size": 250},
            "steps": DATASET_STEPS,
        }
    )
    result = run(recipe, workers=2)
    assert result.read > 0
    assert result.read + result.added == result.written + result.rejected
    stats = orjson.loads((tmp_path / "stats.json").read_bytes())
    for step in stats["steps"]:
        assert step["in"] + step["added"] == step["kept"] + sum(step["rejected"].values()), step
        assert "step_error" not in step["rejected"], (step["name"], step["rejected"])
    rows = [
        orjson.loads(line)
        for name in ("train", "test")
        for line in (tmp_path / f"{name}.jsonl").read_bytes().splitlines()
    ]
    assert len(rows) == result.written
    assert {r["metadata"]["split"] for r in rows} <= {"train", "test"}
