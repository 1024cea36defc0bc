"""``iter_rows``: dispatch by detected or named container, eager whole-input errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from ftprep.errors import DetectionError, FormatError
from ftprep.io import CONTAINERS, RawRow, iter_rows


def test_named_container_overrides_the_extension(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_text("a,b\n1,2\n", encoding="utf-8")

    assert list(iter_rows(path, container="csv")) == [RawRow(2, {"a": "1", "b": "2"})]


def test_unknown_container_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text("{}\n")
    with pytest.raises(DetectionError, match="unknown container 'jsonx'"):
        iter_rows(path, container="jsonx")


@pytest.mark.parametrize("container", [None, *CONTAINERS])
def test_missing_input_fails_at_the_call(tmp_path: Path, container: str | None) -> None:
    with pytest.raises(FormatError, match="no such file or directory"):
        iter_rows(tmp_path / "missing.jsonl", container=container)
