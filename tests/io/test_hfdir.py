"""Hugging Face ``save_to_disk`` directories: reading Dataset and DatasetDict, writing one."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from ftprep.errors import DetectionError, FormatError, MissingExtraError
from ftprep.io import HfDatasetWriter, detect_container, iter_hf_dir, iter_rows, open_writer

datasets = pytest.importorskip("datasets")

CHATS: list[dict[str, Any]] = [
    {
        "messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}],
        "tags": [],  # Dataset.from_list takes its columns from the first row
    },
    {
        "messages": [
            {"role": "user", "content": "weather?"},
            {
                "role": "assistant",
                "tool_calls": [{"id": "c1", "function": {"name": "w", "arguments": "{}"}}],
            },
        ],
        "tags": ["tools"],
    },
]


@pytest.fixture(autouse=True)
def _quiet_datasets() -> Any:
    datasets.disable_progress_bars()
    yield
    datasets.enable_progress_bars()


def test_reads_a_saved_dataset_without_nulls(tmp_path: Path) -> None:
    target = tmp_path / "ds"
    datasets.Dataset.from_list(CHATS).save_to_disk(str(target))

    rows = list(iter_rows(target))

    assert detect_container(target) == "hf"
    assert [(r.line, r.split) for r in rows] == [(1, None), (2, None)]
    assert [r.value for r in rows] == CHATS


def test_reads_a_dataset_dict_with_splits(tmp_path: Path) -> None:
    target = tmp_path / "dd"
    splits = {
        "train": datasets.Dataset.from_list([{"text": "a"}, {"text": "b"}]),
        "test": datasets.Dataset.from_list([{"text": "c"}]),
    }
    datasets.DatasetDict(splits).save_to_disk(str(target))

    rows = list(iter_hf_dir(target))

    assert [(r.split, r.line, r.value) for r in rows] == [
        ("train", 1, {"text": "a"}),
        ("train", 2, {"text": "b"}),
        ("test", 1, {"text": "c"}),
    ]


def test_writer_output_loads_with_datasets_and_reads_back(tmp_path: Path) -> None:
    target = tmp_path / "out" / "ds"
    with open_writer(target, container="hf") as writer:
        for row in CHATS:
            writer.write(row)

    loaded = datasets.load_from_disk(str(target))
    assert loaded.num_rows == 2
    assert loaded[1]["messages"][1]["tool_calls"][0]["function"]["name"] == "w"
    assert [r.value for r in iter_rows(target)] == CHATS
    assert sorted(p.name for p in target.parent.iterdir()) == ["ds"]


def test_writer_keeps_ununifiable_columns_as_json_and_reads_them_back(tmp_path: Path) -> None:
    rows: list[dict[str, Any]] = [
        {"messages": [{"role": "user", "content": "plain"}]},
        {"messages": [{"role": "user", "content": [{"type": "text", "text": "parts"}]}]},
    ]
    target = tmp_path / "mixed"
    with HfDatasetWriter(target) as writer:
        for row in rows:
            writer.write(row)

    assert datasets.load_from_disk(str(target))[0]["messages"] == orjson_text(rows[0]["messages"])
    assert [r.value for r in iter_rows(target)] == rows


def orjson_text(value: Any) -> str:
    import orjson

    return orjson.dumps(value).decode()


def test_writer_replaces_an_existing_dataset(tmp_path: Path) -> None:
    target = tmp_path / "ds"
    datasets.Dataset.from_list([{"text": "old"}]).save_to_disk(str(target))
    with open_writer(target, container="hf") as writer:
        writer.write({"text": "new"})

    assert [r.value for r in iter_rows(target)] == [{"text": "new"}]
    assert [p.name for p in tmp_path.iterdir()] == ["ds"]


def test_failed_write_leaves_the_old_dataset(tmp_path: Path) -> None:
    target = tmp_path / "ds"
    datasets.Dataset.from_list([{"text": "old"}]).save_to_disk(str(target))
    with pytest.raises(RuntimeError), open_writer(target, container="hf") as writer:
        writer.write({"text": "new"})
        raise RuntimeError("boom")

    assert [r.value for r in iter_rows(target)] == [{"text": "old"}]
    assert [p.name for p in tmp_path.iterdir()] == ["ds"]


def test_directories_that_are_not_datasets(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(DetectionError, match=r"no dataset_dict\.json"):
        iter_hf_dir(tmp_path / "empty")
    with pytest.raises(DetectionError, match=r"without dataset_dict\.json"):
        detect_container(tmp_path / "empty")
    with pytest.raises(FormatError, match="not a directory"):
        iter_hf_dir(tmp_path / "missing")


def test_missing_datasets_names_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "datasets", None)

    with pytest.raises(MissingExtraError, match=r"pip install 'ftprep\[datasets\]'"):
        open_writer(tmp_path / "ds", container="hf")


def test_empty_output_reads_as_no_rows(tmp_path: Path) -> None:
    target = tmp_path / "empty"
    with open_writer(target, container="hf"):
        pass
    assert list(iter_rows(target)) == []


def test_broken_split_list_raises(tmp_path: Path) -> None:
    target = tmp_path / "dd"
    target.mkdir()
    (target / "dataset_dict.json").write_text('{"splits": "train"}')
    with pytest.raises(FormatError, match="'splits' must be a list"):
        iter_rows(target)
