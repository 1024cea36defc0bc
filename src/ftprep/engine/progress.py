"""Progress bars per segment (rich, on stderr): records done, records/s and time left."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


class RunProgress:
    """A no-op unless ``enabled``; ``advance`` returns True so it can sit inside a filter."""

    def __init__(self, *, enabled: bool) -> None:
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        if enabled:
            self._progress = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]}"),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=False,
            )

    def start(self, label: str, total: int | None) -> None:
        if self._progress is not None:
            self._task = self._progress.add_task(label, total=total, rate="")

    def advance(self, meta: dict[str, Any]) -> bool:
        if self._progress is not None and self._task is not None:
            n = (
                meta["read"]
                if meta["segment"] == 0
                else sum(c["in"] for name, c in meta["steps"].items() if name != "read")
            )
            self._progress.advance(self._task, n)
            task = self._progress.tasks[-1]
            speed = task.speed
            self._progress.update(self._task, rate=f"{speed:,.0f} rec/s" if speed else "")
        return True

    def advance_done(self, metas: Iterable[dict[str, Any]]) -> None:
        for meta in metas:
            self.advance(meta)

    def __enter__(self) -> RunProgress:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()
