"""The issue's done-when, on the real public datasets in ../shared/data (skipped when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ftprep.convert import convert
from ftprep.formats import WRITABLE
from ftprep.validate import validate

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
pytestmark = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data is not here")
FILES = (
    sorted(p for p in SHARED.rglob("*.json*") if p.name != "dataset_info.json")
    if SHARED.is_dir()
    else []
)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_validate_runs_on_every_file(path: Path) -> None:
    report = validate(path)
    assert report.examples > 0
    report.to_dict()  # serializable


def test_toy_chat_planted_defects_are_found() -> None:
    report = validate(SHARED / "openai-cookbook" / "toy_chat_fine_tuning.jsonl")
    found = {(f.code, f.line) for kept in report.findings.examples.values() for f in kept}
    assert ("no_user_message", 4) in found
    assert ("no_system_message", 3) in found
    long = report.findings.examples["long_message"][0]
    assert long.line == 5 and long.message_index == 2 and "26,000 characters" in long.detail
    assert report.missing_system == 1 and report.missing_user == 1


def test_drone_function_calling_data_has_no_errors() -> None:
    report = validate(SHARED / "openai-cookbook" / "drone_training.jsonl")
    assert report.errors == 0, dict(report.findings.counts)
    assert report.examples == 103


def test_known_defects_of_other_files() -> None:
    counts = lambda name: validate(SHARED / name).findings.counts  # noqa: E731
    assert counts("llama-factory/identity.json")["template_placeholder"] >= 80
    assert counts("llama-factory/kto_en_demo.json")["mojibake"] >= 1
    assert counts("llama-factory/v1_sft_demo.jsonl")["unrecognized_key"] == 1000  # loss_weight
    assert counts("bfcl/BFCL_v4_simple_python.json")["tools_invalid_schema"] >= 1  # "dict" types
    assert counts("axolotl/conversation.missingturns.json")["empty_content"] == 1
    assert counts("codealpaca/code_alpaca_2k.json")["empty_content"] == 2


def test_dataset_info_mapping() -> None:
    report = validate(SHARED / "llama-factory" / "dataset_info.json", dataset="kto_en_demo")
    assert report.format == "mapped" and report.examples == 300


@pytest.mark.slow
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_convert_to_every_format_and_back(path: Path, tmp_path: Path) -> None:
    for to in (*WRITABLE, "parquet"):
        out = tmp_path / f"out.{to}.{'parquet' if to == 'parquet' else 'jsonl'}"
        result = convert(path, out, to=to)
        assert result.read == result.written + result.rejected
        assert result.read > 0
        back = convert(out, tmp_path / f"back.{to}.jsonl", to="openai")
        assert back.read == result.written
        assert back.rejected == 0 or to in ("text",)
