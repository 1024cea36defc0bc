"""The dataset card and the trainers' files a run writes, and that the outputs load in
``datasets`` and fit TRL's conversational format."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
import yaml

from ftprep.engine import parse_recipe, run
from ftprep.reading import iter_records, open_source
from ftprep.record import Record
from ftprep.report.card import size_category


def chats(path: Path, n: int = 120) -> None:
    rows = [
        {
            "messages": [
                {"role": "system", "content": "You help with the app."},
                {"role": "user", "content": f"How do I change setting {i}?"},
                {"role": "assistant", "content": f"Open Preferences and pick option {i}."},
            ],
            "metadata": {"category": "how|to <b>" if i % 3 else "billing"},
        }
        for i in range(n)
    ]
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    chats(tmp_path / "in.jsonl")
    data = {
        "version": 1,
        "inputs": ["in.jsonl"],
        "output_dir": "release",
        "outputs": ["{split}.jsonl", {"path": "{split}.sharegpt.json", "format": "sharegpt"}],
        "card": {"name": "acme-support", "license": "cc-by-4.0", "intended_use": "Acme's bot."},
        "steps": ["pii.redact", {"split": {"ratios": [0.8, 0.2]}}],
    }
    run(parse_recipe(data, base_dir=tmp_path), workers=1)
    return tmp_path / "release"


def test_the_card_has_the_hub_front_matter_and_every_section(folder: Path) -> None:
    text = (folder / "README.md").read_text()
    _, front, body = text.split("---", 2)
    meta = yaml.safe_load(front)
    assert meta["license"] == "cc-by-4.0" and meta["pretty_name"] == "acme-support"
    assert meta["size_categories"] == ["n<1K"] and meta["task_categories"] == ["text-generation"]
    default, sharegpt = meta["configs"]
    assert default["config_name"] == "default" and sharegpt["config_name"] == "sharegpt"
    assert {d["split"]: d["path"] for d in default["data_files"]} == {
        "train": "train.jsonl", "test": "test.jsonl",
    }  # fmt: skip
    for section in ("## Sources", "## Processing", "## Statistics", "## Personal data",
                    "## Known issues and limitations", "## Intended use", "## Loading"):  # fmt: skip
        assert section in body, section
    assert "Acme's bot." in body and "sha256" in body
    assert "| split | ratios=[0.8, 0.2] | 120 | 120 | 0 |" in body
    assert "120 fine-tuning examples" in body
    assert "how\\|to &lt;b&gt;" in body and "<b>" not in body  # data escaped


def test_trainer_files_load_the_outputs(folder: Path) -> None:
    axolotl = yaml.safe_load((folder / "axolotl.yaml").read_text())
    (train,) = axolotl["datasets"]
    (test,) = axolotl["test_datasets"]
    assert (train["path"], test["path"]) == ("train.jsonl", "test.jsonl")
    assert train["type"] == "chat_template" and train["field_messages"] == "messages"
    assert all((folder / d["path"]).exists() for d in (train, test))
    # LLaMA-Factory's registry: ftprep reads it back, as LLaMA-Factory would, to the same records
    info = folder / "dataset_info.json"
    entries = orjson.loads(info.read_bytes())
    assert set(entries) == {"acme-support", "acme-support_test"}
    source = open_source(folder / "train.jsonl", dataset_info=info, dataset="acme-support")
    via_registry = [r for r in iter_records(source) if isinstance(r, Record)]
    direct = [r for r in iter_records(open_source(folder / "train.jsonl")) if isinstance(r, Record)]
    assert [r.messages for r in via_registry] == [r.messages for r in direct]


def test_outputs_load_with_datasets_and_fit_trl(folder: Path) -> None:
    datasets = pytest.importorskip("datasets")
    data_utils = pytest.importorskip("trl.data_utils")
    loaded = datasets.load_dataset(
        "json",
        data_files={"train": str(folder / "train.jsonl"), "test": str(folder / "test.jsonl")},
    )
    assert loaded["train"].num_rows + loaded["test"].num_rows == 120
    assert all(data_utils.is_conversational(row) for row in loaded["train"])


def test_size_categories() -> None:
    assert [size_category(n) for n in (0, 999, 1000, 54_321, 2_000_000)] == [
        "n<1K", "n<1K", "1K<n<10K", "10K<n<100K", "1M<n<10M",
    ]  # fmt: skip
