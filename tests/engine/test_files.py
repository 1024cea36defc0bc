"""Work files: atomic writes and links."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ftprep.engine.files import link_atomic


def test_a_link_names_the_same_data_and_leaves_the_source(tmp_path: Path) -> None:
    source = tmp_path / "000001.pre0"
    source.write_bytes(b'{"messages": []}\n' * 3)
    target = tmp_path / "s01" / "000001.out0"
    target.parent.mkdir()
    target.write_bytes(b"stale")
    link_atomic(source, target)
    assert target.read_bytes() == source.read_bytes()
    assert os.stat(target).st_ino == os.stat(source).st_ino  # nothing was copied
    source.unlink()  # the shard is done: its staged file goes, the output stays
    assert target.read_bytes() == b'{"messages": []}\n' * 3
    assert sorted(p.name for p in target.parent.iterdir()) == ["000001.out0"]  # no temp left


def test_without_hard_links_the_data_is_copied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "a"
    source.write_bytes(b"rows\n")

    def no_links(src: object, dst: object) -> None:
        raise PermissionError("hard links are not allowed here")

    monkeypatch.setattr(os, "link", no_links)
    link_atomic(source, tmp_path / "b")
    assert (tmp_path / "b").read_bytes() == b"rows\n"
    assert os.stat(tmp_path / "b").st_ino != os.stat(source).st_ino
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b"]
