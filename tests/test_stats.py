"""Dataset statistics and their warnings: ``ftprep stats``, ``dataset.stats``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner

from ftprep.cli import cli
from ftprep.engine import parse_recipe, run
from ftprep.engine.yamlfile import RecipeError
from ftprep.record import Record
from ftprep.stats import Thresholds, dataset_stats, warnings_for

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def chat(user: str, reply: str, **meta: Any) -> Record:
    return Record.from_dict(
        {
            "messages": [
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": user},
                {"role": "assistant", "content": reply},
            ],
            "metadata": meta,
        }
    )


def test_counts_lengths_uniqueness_diversity_classes_and_splits() -> None:
    records = [
        chat("aa bb", "cc dd ee", category="x", split="train"),
        chat("aa bb", "cc dd ee", category="x", split="test"),  # a duplicate, across splits
        chat("ff", "gg hh", category="y", split="train"),
        Record.from_dict({"text": "plain text document"}),
    ]
    s = dataset_stats(records, languages=False)
    assert (s["records"], s["conversations"], s["texts"]) == (4, 3, 1)
    assert s["roles"] == {"system": 3, "user": 3, "assistant": 3}
    assert s["chars"]["user"] == {
        "count": 3, "mean": 4.0, "median": 5.0, "p5": 2.3, "p95": 5.0, "max": 5, "total": 12,
    }  # fmt: skip
    assert s["uniqueness"] == 0.75 and s["input_uniqueness"] == pytest.approx(2 / 3, abs=1e-4)
    # outputs' words: cc dd ee cc dd ee gg hh (8), distinct 5
    assert s["diversity"]["outputs_distinct_1"] == pytest.approx(5 / 8, abs=1e-4)
    assert s["categories"] == {"field": "category", "counts": {"x": 2, "y": 1}, "imbalance": 2.0}
    assert s["system_prompts"]["distinct"] == 1
    assert s["composition"] == {"single_turn": 3, "with_system": 3, "text": 1}
    assert s["splits"] == {"counts": {"train": 2, "test": 1}, "input_overlap": {"test~train": 1}}
    assert s["tokens"]["approximate"] and s["tokens"]["over_limit"] == 0


def test_each_warning_and_its_threshold() -> None:
    long_input = "word " * 500
    records = [chat(f"{long_input} {i % 3}", "x" * 1600, category="a") for i in range(30)]
    records += [chat("q", "r", category="b", split="test")]
    s = dataset_stats(records, languages=False, target="trl")
    warnings = " | ".join(warnings_for(s))
    for expected in (
        "only 31 examples", "inputs are distinct", "user turns average",
        "assistant turns average", "imbalanced 30x", "test split has 1", "exceed the trl",
    ):  # fmt: skip
        assert expected in warnings, expected
    relaxed = Thresholds(min_examples=10, max_imbalance=50)
    assert "only 31" not in " ".join(warnings_for(s, relaxed))
    assert "imbalanced" not in " ".join(warnings_for(s, relaxed))


def test_tokens_with_a_real_tokenizer(trained_tokenizer_json: Path) -> None:
    s = dataset_stats(
        [chat("hello there", "general kenobi")], tokenizer=str(trained_tokenizer_json)
    )
    assert not s["tokens"]["approximate"] and s["tokens"]["per_role"]["user"]["max"] >= 2


def test_ftprep_stats_json_and_text(tmp_path: Path) -> None:
    src = tmp_path / "d.jsonl"
    lines = [orjson.dumps(chat(f"q{i}", f"a{i}").to_dict()) for i in range(5)] + [b"{broken"]
    src.write_bytes(b"\n".join(lines) + b"\n")
    result = CliRunner().invoke(cli, ["stats", str(src), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["records"] == 5 and data["unreadable_rows"] == 1
    assert any("only 5 examples" in w for w in data["warnings"])
    text = CliRunner().invoke(cli, ["stats", str(src), "--min-examples", "3"])
    assert "5 records" in text.output and "no warnings" in text.output


@pytest.mark.skipif(not SHARED.exists(), reason="needs ../shared/data")
def test_stats_of_shared_data() -> None:
    result = CliRunner().invoke(
        cli, ["stats", str(SHARED / "openai-cookbook" / "drone_training.jsonl"), "--json"]
    )
    data = json.loads(result.output)
    assert data["tools"]["records_with_tool_calls"] == data["records"] > 50
    assert data["composition"]["tool_use"] == data["records"]


def test_the_recipe_step_measures_the_output_and_must_come_last(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_bytes(
        b"".join(orjson.dumps(chat(f"q{i}", f"a{i}").to_dict()) + b"\n" for i in range(20))
    )
    data = {
        "version": 1,
        "inputs": ["in.jsonl"],
        "outputs": ["out.jsonl"],
        "steps": [{"filter.length": {"max": 2, "roles": ["user"]}}, "dataset.stats"],
    }
    result = run(parse_recipe(data, base_dir=tmp_path), workers=1)
    stats = json.loads((tmp_path / "out/stats.json").read_text())
    assert stats["dataset"]["records"] == result.written == 10  # q0..q9 kept
    assert any(w.startswith("dataset: only 10 examples") for w in result.warnings)
    # without the report (--no-report), the step still measures and still warns
    from ftprep.engine import RunLayout

    recipe = parse_recipe(data, base_dir=tmp_path)
    quiet = run(recipe, workers=1, layout=RunLayout.in_folder(recipe).without_report())
    assert any(w.startswith("dataset: only 10 examples") for w in quiet.warnings)
    assert quiet.report is None
    data["steps"] = ["dataset.stats", "normalize.unicode"]
    with pytest.raises(RecipeError, match="as the last step"):
        run(parse_recipe(data, base_dir=tmp_path), workers=1)


def test_embedding_spread_with_the_bundled_model() -> None:
    pytest.importorskip("sentence_transformers")
    alike = [chat("How do I reset my password?", "x") for _ in range(5)]
    varied = [chat(q, "x") for q in ("Reset my password", "Best pizza in Rome?",
                                     "Explain quantum tunnelling", "Cancel order 55")]  # fmt: skip
    same = dataset_stats(alike, languages=False, embeddings=True)["embedding_spread"]
    spread = dataset_stats(varied, languages=False, embeddings=True)["embedding_spread"]
    assert same == pytest.approx(0, abs=1e-3) and spread > 0.3
