"""Atomic writes of small work files, and hashes of inputs and outputs."""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path
from typing import Any

import orjson

from ftprep.io.atomic import temp_path_beside


def write_atomic(path: Path, data: bytes, *, durable: bool = False) -> None:
    """Write ``data`` to ``path`` so that a reader sees the old file or the whole new one.

    The rename is atomic, which is all a run killed at any moment (even ``kill -9``) needs to
    resume; ``durable`` also flushes the data to the disk first, so that it survives a machine
    crash too (for a run's final files; the work files of a run, written by the thousand, are
    not worth a disk flush each: after a machine crash, run again without ``--resume``).
    """
    tmp = temp_path_beside(path)
    with open(tmp, "wb") as file:
        file.write(data)
        if durable:
            file.flush()
            os.fsync(file.fileno())
    os.replace(tmp, path)


def link_atomic(source: Path, path: Path) -> None:
    """Give ``source``'s data the name ``path`` too, atomically as :func:`write_atomic` does (a
    hard link renamed into place: nothing is copied); a copy where the file system has no hard
    links. ``source`` stays, so a run killed before it finishes the shard can redo it."""
    tmp = temp_path_beside(path)
    try:
        os.link(source, tmp)
    except OSError:
        write_atomic(path, source.read_bytes())
        return
    os.replace(tmp, path)


def write_json(path: Path, value: Any, *, durable: bool = False) -> None:
    data = orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
    write_atomic(path, data, durable=durable)


def read_json(path: Path) -> Any:
    return orjson.loads(path.read_bytes())


def write_pickle(path: Path, value: Any) -> None:
    write_atomic(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


def read_pickle(path: Path) -> Any:
    with open(path, "rb") as file:
        return pickle.load(file)


def hash_path(path: Path) -> str:
    """sha256 of a file, or of a directory's files (relative names and contents, sorted)."""
    if not path.is_dir():
        return hash_files([path])
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(str(file.relative_to(path)).encode() + b"\0")
        _update(digest, file)
    return digest.hexdigest()


def hash_files(paths: list[Path]) -> str:
    """sha256 of the files' contents one after the other: of the file they are joined into.
    (hashlib and file reads let go of the GIL, so a thread can hash while another writes.)"""
    digest = hashlib.sha256()
    for path in paths:
        _update(digest, path)
    return digest.hexdigest()


def _update(digest: Any, path: Path) -> None:
    with open(path, "rb", buffering=0) as handle:
        while block := handle.read(1 << 22):
            digest.update(block)
