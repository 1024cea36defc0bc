"""Joining a run's shard files into its final files, in shard order, while the run goes on.

Each JSON Lines output and the rejects file is the concatenation of one file per shard, in
shard order. A :class:`Joiner` appends the parts in a thread of its own as soon as each is
final, so that at the end of the run only the last few are left: copying and hashing a 1.5 GB
output no longer waits, serially, for the last shard (with one worker the thread has a core of
its own; with more, it takes the place of the idle minutes at the end of the run). Reads,
writes and ``hashlib`` let go of the GIL, so the thread does not slow the workers' Python.

A shard's output rows are final when its last segment has run, or earlier, at the end of the
segment before, when the shard's rows were rendered ahead and every record's fate was foreseen
(see :mod:`ftprep.engine.foresight`): its staged rows are then its output, which the last
segment links into place. :class:`RunJoin` knows which parts of which files a finished shard
makes final.
"""

from __future__ import annotations

import hashlib
import os
import queue
import shutil
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any, BinaryIO

from ftprep.engine.plan import Pipeline
from ftprep.errors import FtprepError

#: how much of a joined file is written before its write-back to the disk is started
WRITE_BACK_EVERY = 64 << 20
_BLOCK = 1 << 22
#: a part: its file; the files it may be (the first that exists); or a future of those
Part = Path | tuple[Path, ...] | Future[Path]


class Joiner:
    """Concatenates parts into ``path`` in the order they are added, in a thread, and makes the
    whole file appear atomically and durably at :meth:`close`; with ``digest``, the sha256 of
    what it wrote comes back.

    A part may be a :class:`~concurrent.futures.Future` of a file not written yet: the thread
    waits for it (and so the parts after it wait too). The disk write-back of each 64 MB
    written is started at once (``posix_fadvise`` with ``DONTNEED`` starts it without waiting),
    so that the closing ``fsync`` finds little left to write.
    """

    def __init__(self, path: Path, *, digest: bool = False) -> None:
        self.path = path
        try:  # a bad output path fails before anything runs
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise FtprepError(f"cannot create the folder of {path}: {exc}") from None
        #: one name per output, not a random one: a run killed while it joins leaves this
        #: file, and the next run of the same output (resumed or not) writes over it
        self._tmp = path.with_name(f".{path.name}.join.tmp")
        self._digest = hashlib.sha256() if digest else None
        self._parts: queue.SimpleQueue[Part | None] = queue.SimpleQueue()
        self._waiting: list[Future[Path]] = []
        self._error: BaseException | None = None
        self._aborted = False
        #: started with the first part (a run's worker processes are forked before it: see
        #: LocalExecutor)
        self._thread: threading.Thread | None = None

    def add(self, part: Part) -> None:
        if isinstance(part, Future):
            self._waiting.append(part)
        self._parts.put(part)
        self._start()

    def _start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=f"join {self.path}", daemon=True)
            self._thread.start()

    def check(self) -> None:
        """Raise the error the thread stopped on, if any (so that a run fails at once)."""
        if self._error is not None:
            raise self._error

    def finish(self) -> None:
        """Wait for every part to be written (:meth:`commit` then puts the file in place)."""
        self._parts.put(None)
        self._start()  # a file of no part is written too
        assert self._thread is not None
        self._thread.join()
        self.check()

    def commit(self) -> str | None:
        """Put the finished file in place; its sha256 with ``digest``."""
        self._tmp.replace(self.path)
        return self._digest.hexdigest() if self._digest is not None else None

    def close(self) -> str | None:
        """:meth:`finish`, then :meth:`commit`."""
        try:
            self.finish()
        except BaseException:
            self._tmp.unlink(missing_ok=True)
            raise
        return self.commit()

    def abort(self) -> None:
        """Stop (the run failed): no file is put in place."""
        self._aborted = True
        for future in self._waiting:
            future.cancel()
        if self._thread is not None:
            self._parts.put(None)
            self._thread.join()
        self._tmp.unlink(missing_ok=True)

    def _run(self) -> None:
        try:
            with open(self._tmp, "wb") as out:
                started = 0  # where the write-back not yet started begins
                while (part := self._parts.get()) is not None and not self._aborted:
                    with _open_part(part) as src:
                        self._append(src, out)
                    end = out.tell()
                    if end - started >= WRITE_BACK_EVERY and hasattr(os, "posix_fadvise"):
                        os.posix_fadvise(
                            out.fileno(), started, end - started, os.POSIX_FADV_DONTNEED
                        )
                        started = end
                if not self._aborted:
                    out.flush()
                    os.fsync(out.fileno())
        except BaseException as exc:  # handed to close(); a cancelled part means abort()
            self._error = exc

    def _append(self, src: BinaryIO, out: BinaryIO) -> None:
        if self._digest is None:
            _copy(src, out)
            return
        buffer = memoryview(bytearray(_BLOCK))
        while n := src.readinto(buffer):  # type: ignore[attr-defined]
            self._digest.update(buffer[:n])
            out.write(buffer[:n])


def _open_part(part: Part) -> BinaryIO:
    if isinstance(part, Future):
        part = part.result()
    if isinstance(part, Path):
        return open(part, "rb", buffering=0)
    for path in part[:-1]:
        try:
            return open(path, "rb", buffering=0)
        except FileNotFoundError:
            continue
    return open(part[-1], "rb", buffering=0)


def _copy(src: BinaryIO, dst: BinaryIO) -> None:
    """Append ``src`` to ``dst``: inside the kernel where it can (no copy through Python)."""
    if hasattr(os, "copy_file_range"):
        dst.flush()
        try:
            while os.copy_file_range(src.fileno(), dst.fileno(), 1 << 30):
                pass
            return
        except OSError:  # a file system that cannot: copy what is left the plain way
            dst.seek(0, os.SEEK_END)
    shutil.copyfileobj(src, dst, 1 << 20)


def join(path: Path, parts: Sequence[Part], *, digest: bool = False) -> str | None:
    """Concatenate ``parts`` into ``path`` atomically and durably (see :class:`Joiner`)."""
    joiner = Joiner(path, digest=digest)
    for part in parts:
        joiner.add(part)
    return joiner.close()


class RunJoin:
    """The joins of one run: each JSON Lines output (hashed) and the rejects file, fed shard
    by shard as the segments finish (:meth:`shard_done`, in shard order within a segment, the
    segments in order).

    The rejects file holds ``first`` (the collectors' rejects), then every segment's rejects,
    segment by segment, each in shard order. An output holds the last segment's rows of each
    shard in order; with a tail render, a shard whose fate was all foreseen (``"final"`` in its
    result from the segment before) has its staged rows added at once, and any other gets a
    future that its last segment fulfils.
    """

    def __init__(self, pipeline: Pipeline, rejects: Path, first: Sequence[Path]) -> None:
        self.pipeline = pipeline
        self.outputs = {
            k: Joiner(t.path, digest=True)
            for k, t in enumerate(pipeline.outputs)
            if t.container == "jsonl"
        }
        self.rejects = Joiner(rejects)
        self._first = list(first)  # added with the first shard (see Joiner._thread)
        self._pending: dict[tuple[int, int], Future[Path]] = {}
        self._added: set[int] = set()  # shards whose output rows are in the queue

    def shard_done(self, segment: int, meta: dict[str, Any]) -> None:
        p, shard = self.pipeline, meta["shard"]
        last = len(p.segments) - 1
        for joiner in [*self.outputs.values(), self.rejects]:
            joiner.check()
        while self._first:
            self.rejects.add(self._first.pop(0))
        self.rejects.add(p.shard_file(segment, shard, "rej"))
        if segment == last and shard not in self._added:
            for k, joiner in self.outputs.items():
                out = p.shard_file(last, shard, f"out{k}")
                pending = self._pending.pop((shard, k), None)
                if pending is None:
                    joiner.add(out)
                else:
                    pending.set_result(out)
        elif segment == last - 1 and p.tail_render:
            final = bool(meta.get("final"))
            if final:
                self._added.add(shard)
            for k, joiner in self.outputs.items():
                if final:  # staged rows, linked as the output by the last segment (then gone)
                    pre = p.shard_file(segment, shard, f"pre{k}")
                    joiner.add((pre, p.shard_file(last, shard, f"out{k}")))
                else:
                    future: Future[Path] = Future()
                    self._pending[shard, k] = future
                    joiner.add(future)

    def close(self) -> dict[str, str]:
        """Wait for every join, then put all the files in place: the outputs' sha256 by path.
        (On an error, :meth:`abort` removes what was joined.)"""
        while self._first:  # no shard at all
            self.rejects.add(self._first.pop(0))
        joiners = [*self.outputs.values(), self.rejects]
        for joiner in joiners:
            joiner.finish()
        digests = {str(j.path): j.commit() for j in joiners}
        return {path: digest for path, digest in digests.items() if digest is not None}

    def abort(self) -> None:
        """Stop every join and remove its temporary file (the first error is raised after)."""
        error: BaseException | None = None
        for joiner in [*self.outputs.values(), self.rejects]:
            try:
                joiner.abort()
            except BaseException as exc:  # the others are stopped all the same
                error = error or exc
        if error is not None:
            raise error
