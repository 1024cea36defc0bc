"""The base every row writer shares: write to a temporary beside the target, move it in at the end.

A reader of the target never sees a half-written file: rows go to a hidden temporary in the target's
own directory (so the final :func:`os.replace` is a rename on one file system), which replaces the
target only when the writer is closed cleanly. On an exception inside ``with``, or on
:meth:`RowWriter.abort`, the temporary is removed and any pre-existing target is left untouched.
"""

from __future__ import annotations

import glob
import os
import re
import secrets
import shutil
from abc import ABC, abstractmethod
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, ClassVar, Self

from ftprep.errors import FormatError

#: Size of the write buffer of file-based writers.
WRITE_BUFFER = 1 << 20


def temp_path_beside(path: Path, suffix: str = ".tmp") -> Path:
    """A fresh hidden path in ``path``'s directory (nothing is created)."""
    return path.with_name(f".{path.name}.{secrets.token_hex(6)}{suffix}")


def remove_stale_temps(path: Path) -> list[Path]:
    """Remove the temporaries of ``path`` that a killed process left beside it (those of
    :func:`temp_path_beside`, and a run's ``.NAME.join.tmp``); the ones removed come back.
    Only for a caller that owns ``path``: a writer still at work would lose its file."""
    if not path.parent.is_dir():
        return []
    pattern = re.compile(rf"\.{re.escape(path.name)}\.(?:[0-9a-f]{{12}}\.[\w.]+|join\.tmp)")
    stale = [
        p for p in path.parent.glob(f".{glob.escape(path.name)}.*") if pattern.fullmatch(p.name)
    ]
    for p in stale:
        p.unlink(missing_ok=True)
    return stale


def remove_path(path: Path) -> None:
    """Remove a file or a directory tree if it exists; never raises for a missing path."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


class RowWriter(ABC):
    """Writes dict rows to one target atomically; a context manager.

    ``write(row)`` adds a row and ``count`` says how many were written. ``close()`` (or a clean
    ``with`` exit) finishes the temporary and moves it into place; ``abort()`` (or an exception
    inside ``with``) discards it. Parent directories of the target are created.
    """

    container: ClassVar[str] = ""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.count = 0
        self._done = False
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise FormatError(f"cannot create the output directory: {exc}", file=str(path)) from exc
        self._tmp = temp_path_beside(self.path)

    def write(self, row: dict[str, Any]) -> None:
        """Append one row."""
        if self._done:
            raise ValueError(f"write to a closed {type(self).__name__} ({self.path})")
        self._write(row)
        self.count += 1

    def close(self) -> None:
        """Finish the output and move it into place; a second call does nothing."""
        if self._done:
            return
        self._done = True
        try:
            self._finish()
            self._commit()
        except BaseException:
            self._discard()
            remove_path(self._tmp)
            raise

    def abort(self) -> None:
        """Discard everything written; the target is left as it was."""
        if self._done:
            return
        self._done = True
        self._discard()
        remove_path(self._tmp)

    def _commit(self) -> None:
        os.replace(self._tmp, self.path)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    @abstractmethod
    def _write(self, row: dict[str, Any]) -> None:
        """Add one row to the temporary output."""

    @abstractmethod
    def _finish(self) -> None:
        """Complete the temporary output at ``self._tmp`` (flush, write footers, close handles)."""

    @abstractmethod
    def _discard(self) -> None:
        """Release handles and any side files; ``self._tmp`` is removed by the caller."""


class BinaryRowWriter(RowWriter):
    """A :class:`RowWriter` whose output is one byte stream opened at construction."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__(path)
        try:
            self._file: BinaryIO = open(self._tmp, "xb", buffering=WRITE_BUFFER)  # noqa: SIM115
        except OSError as exc:
            raise FormatError(f"cannot write: {exc}", file=str(path)) from exc

    def _finish(self) -> None:
        self._file.close()

    def _discard(self) -> None:
        self._file.close()
