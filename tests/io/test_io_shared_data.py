"""The real public data sets in ``../shared/data`` (skipped when the folder is absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ftprep.io import detect_container, iter_rows

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA = REPO_ROOT.parent / "shared" / "data"

pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason="../shared/data is not present")


def _files() -> list[Path]:
    if not DATA.is_dir():
        return []
    return sorted(p for p in DATA.rglob("*") if p.suffix in (".json", ".jsonl"))


@pytest.mark.parametrize("path", _files(), ids=lambda p: str(p.relative_to(DATA)))
def test_every_file_reads_without_raising(path: Path) -> None:
    rows = list(iter_rows(path))
    assert rows
    assert [row.error for row in rows if row.error] == []


def test_bfcl_json_is_json_lines() -> None:
    path = DATA / "bfcl" / "BFCL_v4_simple_python.json"
    assert detect_container(path) == "jsonl"
    rows = list(iter_rows(path))
    assert len(rows) == 400
    assert rows[0].value["id"] == "simple_python_0"


def test_axolotl_conversation_is_one_record() -> None:
    path = DATA / "axolotl" / "conversation.json"
    assert detect_container(path) == "json"
    rows = list(iter_rows(path))
    assert len(rows) == 1
    assert "conversations" in rows[0].value


def test_llama_factory_alpaca_demo_is_a_999_row_array() -> None:
    path = DATA / "llama-factory" / "alpaca_en_demo.json"
    assert detect_container(path) == "json"
    rows = list(iter_rows(path))
    assert len(rows) == 999
    assert rows[-1].line == 999
    assert set(rows[0].value) == {"instruction", "input", "output"}
