"""The local executor: shards to a process pool (or run in this process), results in shard order."""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Generator, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from ftprep.engine.plan import Pipeline, ShardTask
from ftprep.engine.worker import init_worker, run_shard


def worker_count(requested: int | str | None) -> int:
    """``auto``/``None`` means every core this process may use."""
    if requested in (None, "auto", 0):
        try:
            return max(1, len(os.sched_getaffinity(0)))
        except AttributeError:  # pragma: no cover - not Linux
            return max(1, os.cpu_count() or 1)
    count = int(requested)
    if count < 1:
        raise ValueError(f"workers must be at least 1, got {count}")
    return count


class LocalExecutor:
    """Runs shard tasks with ``workers`` processes; ``workers=1`` runs them in this process.

    At most ``2 * workers`` shards are in flight, so memory stays bounded however large the input;
    results come back in the order the tasks were given.
    """

    def __init__(self, pipeline: Pipeline, workers: int) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        init_worker(pipeline, workers)
        if workers > 1:
            method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
            self._pool = ProcessPoolExecutor(
                max_workers=workers,
                mp_context=multiprocessing.get_context(method),
                initializer=init_worker,
                initargs=(pipeline, workers),
            )
            # the worker processes are forked now, before this process starts any thread (the
            # input's hasher, the output joins): a child forked while a thread holds a lock
            # could inherit it held
            self._pool.submit(int).result()

    def map(self, tasks: Iterable[ShardTask]) -> Generator[dict[str, Any], None, None]:
        """Each task's result, in order. When it stops early (an error, or :meth:`close` of
        this generator), ``tasks`` is closed too if it is a generator: the input it reads, and
        the thread that hashes it, do not outlive the run while a traceback holds its frames."""
        try:
            if self._pool is None:
                for task in tasks:
                    yield run_shard(task)
                return
            window: deque[Future[dict[str, Any]]] = deque()
            for task in tasks:
                window.append(self._pool.submit(run_shard, task))
                if len(window) >= 2 * self.workers:
                    yield window.popleft().result()
            while window:
                yield window.popleft().result()
        finally:
            if isinstance(tasks, Generator):
                tasks.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> LocalExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
