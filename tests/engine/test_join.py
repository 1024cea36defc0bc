"""Joining shard files into a run's final files, as the shards finish."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import orjson
import pytest

from ftprep.engine import join as join_module
from ftprep.engine import worker as worker_module
from ftprep.engine.foresight import DROP, KEEP, Foresight
from ftprep.engine.join import Joiner, RunJoin, join
from ftprep.engine.worker import ShardRun, StepFailure
from ftprep.errors import FtprepError

from .test_foresight import _chats
from .test_run import recipe_data, run_in


def _parts(folder: Path, n: int, size: int = 300) -> list[Path]:
    parts = []
    for k in range(n):
        part = folder / f"{k}.part"
        part.write_bytes(bytes([65 + k % 26]) * (size + 37 * k))
        parts.append(part)
    return parts


def _leftovers(folder: Path) -> list[str]:
    """Temporary files (a failed run keeps its work folder, to resume)."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_join_starts_the_write_back_as_it_goes_and_keeps_every_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(join_module, "WRITE_BACK_EVERY", 1000)
    started: list[tuple[int, int]] = []
    fadvise = os.posix_fadvise
    monkeypatch.setattr(
        os,
        "posix_fadvise",
        lambda fd, at, n, advice: started.append((at, n)) or fadvise(fd, at, n, advice),
    )
    parts = _parts(tmp_path, 12)
    out = tmp_path / "out" / "joined.jsonl"
    assert join(out, parts) is None
    assert out.read_bytes() == b"".join(p.read_bytes() for p in parts)
    assert len(started) >= 3
    assert all(n >= 1000 for _, n in started)
    assert [at for at, _ in started] == [0] + [at + n for at, n in started[:-1]]
    assert _leftovers(out.parent) == []


def test_a_part_written_later_holds_back_the_parts_after_it(tmp_path: Path) -> None:
    parts = _parts(tmp_path, 6, size=70_000)
    late = tmp_path / "late.part"
    gone = tmp_path / "gone.part"  # a staged file already linked into place and removed
    joiner = Joiner(tmp_path / "out.jsonl", digest=True)
    joiner.add(parts[0])
    future: Future[Path] = Future()
    joiner.add(future)
    joiner.add((gone, parts[1]))
    for part in parts[2:]:
        joiner.add(part)

    def fulfil() -> None:
        time.sleep(0.2)
        late.write_bytes(b'{"late": true}\n')
        future.set_result(late)

    threading.Thread(target=fulfil).start()
    digest = joiner.close()
    expected = b"".join(p.read_bytes() for p in [parts[0], late, *parts[1:]])
    assert (tmp_path / "out.jsonl").read_bytes() == expected
    assert digest == hashlib.sha256(expected).hexdigest()


def test_an_aborted_join_leaves_nothing_even_while_it_waits(tmp_path: Path) -> None:
    joiner = Joiner(tmp_path / "out.jsonl", digest=True)
    joiner.add(_parts(tmp_path, 1)[0])
    joiner.add(Future())  # never fulfilled: the run failed before the shard's last segment
    joiner.abort()
    assert not (tmp_path / "out.jsonl").exists()
    assert _leftovers(tmp_path) == []


def test_a_missing_part_fails_the_join(tmp_path: Path) -> None:
    joiner = Joiner(tmp_path / "out.jsonl")
    joiner.add(tmp_path / "missing.part")
    with pytest.raises(FileNotFoundError):
        joiner.close()
    assert not (tmp_path / "out.jsonl").exists()
    assert _leftovers(tmp_path) == []


def test_an_error_of_the_join_thread_is_raised_by_check(tmp_path: Path) -> None:
    joiner = Joiner(tmp_path / "out.jsonl")
    joiner.add(tmp_path / "missing.part")
    deadline = time.monotonic() + 10
    with pytest.raises(FileNotFoundError):  # raised once the thread got to the part
        while time.monotonic() < deadline:
            joiner.check()
            time.sleep(0.01)
    joiner.abort()
    assert _leftovers(tmp_path) == []


def test_aborting_a_join_that_never_started_starts_nothing(tmp_path: Path) -> None:
    before = set(threading.enumerate())
    joiner = Joiner(tmp_path / "sub" / "out.jsonl")
    assert (tmp_path / "sub").is_dir()  # made at once: a bad output path fails first
    joiner.abort()
    assert set(threading.enumerate()) == before
    assert list((tmp_path / "sub").iterdir()) == []


def _shards_done(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int, bool]]:
    seen: list[tuple[int, int, bool]] = []
    real = RunJoin.shard_done

    def spy(self: RunJoin, segment: int, meta: dict[str, Any]) -> None:
        seen.append((segment, meta["shard"], bool(meta.get("final"))))
        real(self, segment, meta)

    monkeypatch.setattr(RunJoin, "shard_done", spy)
    return seen


@pytest.mark.parametrize("workers", [1, 2])
def test_shards_foreseen_whole_are_joined_before_the_decision(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    seen = _shards_done(monkeypatch)
    users = [f"question {i % 9} about order A{i % 9}, mail u{i % 9}@example.com" for i in range(60)]
    data = recipe_data(_chats(tmp_path, users), chunk_size=7)
    data["steps"] = ["dedup.exact", {"pii.redact": {"mode": "redact"}}]
    result, layout = run_in(tmp_path / "run", data, workers=workers)
    assert (result.read, result.written) == (60, 9)
    first = [final for segment, _, final in seen if segment == 0]
    assert len(first) == 9
    if workers == 1:  # one process signs every shard in order: every fate is foreseen
        assert all(first)
    manifest = orjson.loads(layout.manifest.read_bytes())
    for output in manifest["outputs"]:
        assert output["sha256"] == hashlib.sha256(Path(output["path"]).read_bytes()).hexdigest()
    out = tmp_path / "run" / "out"
    assert _leftovers(out) == []
    # the same bytes when nothing is foreseen, and then joined only after the last segment
    monkeypatch.setattr(
        "ftprep.steps.dedup.exact.ExactDeduplicator.keeps_first", property(lambda self: False)
    )
    run_in(tmp_path / "blind", data, workers=workers)
    for name in ("train.jsonl", "train.sharegpt.json", "rejects.jsonl"):
        assert (tmp_path / "blind" / "out" / name).read_bytes() == (out / name).read_bytes()


def test_a_failed_run_leaves_no_half_joined_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    users = [f"question {i} about order A{i}" for i in range(30)]
    data = recipe_data(_chats(tmp_path, users), chunk_size=7, on_error="fail")
    data["steps"] = ["dedup.exact", {"pii.redact": {"mode": "redact"}}]

    def boom(self: object, record: object) -> object:
        raise ValueError("boom")

    monkeypatch.setattr("ftprep.steps.pii.redact.PiiRedactor.transform", boom)
    with pytest.raises(StepFailure, match="boom"):
        run_in(tmp_path / "run", data, workers=1)
    out = tmp_path / "run" / "out"
    assert not (out / "train.jsonl").exists()
    assert _leftovers(out) == []


def test_fates_settled_after_the_run_ahead_still_let_the_shard_be_joined_early(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    users = [f"question {i % 9} about order A{i % 9}, mail u{i % 9}@example.com" for i in range(60)]
    data = recipe_data(_chats(tmp_path, users), chunk_size=7)
    data["steps"] = ["dedup.exact", {"pii.redact": {"mode": "redact"}}]
    run_in(tmp_path / "one", data, workers=1)
    seen = _shards_done(monkeypatch)
    # as if every shard were signed by another worker, and "not signed yet" when first asked
    # for: the fates are settled only after the steps ran ahead
    monkeypatch.setattr(worker_module, "foresight", lambda name: Foresight())
    real = ShardRun._signatures
    asked: set[int] = set()

    def late(self: ShardRun, shard: int) -> Any:
        if shard not in asked:
            asked.add(shard)
            return None
        return real(self, shard)

    monkeypatch.setattr(ShardRun, "_signatures", late)
    resettled: set[int] = set()  # the fates settled late
    real_resettled = worker_module.resettled

    def spy(rendered: Any, before: list[int], after: list[int]) -> Any:
        resettled.update(b for a, b in zip(before, after, strict=True) if a != b)
        return real_resettled(rendered, before, after)

    monkeypatch.setattr(worker_module, "resettled", spy)
    run_in(tmp_path / "two", data, workers=1)
    assert resettled == {DROP, KEEP}
    assert all(final for segment, _, final in seen if segment == 0)
    for name in ("train.jsonl", "train.sharegpt.json", "rejects.jsonl"):
        assert (tmp_path / "two" / "out" / name).read_bytes() == (
            tmp_path / "one" / "out" / name
        ).read_bytes()


def test_an_output_folder_that_cannot_be_made_fails_before_anything_runs(tmp_path: Path) -> None:
    before = set(threading.enumerate())
    (tmp_path / "afile").write_text("a file, not a folder")
    data = recipe_data(_chats(tmp_path, ["question one", "question two"]))
    data["outputs"] = ["train.jsonl", str(tmp_path / "afile" / "more.jsonl")]
    with pytest.raises(FtprepError, match=r"cannot create the folder of .*more\.jsonl"):
        run_in(tmp_path / "run", data, workers=2)
    assert set(threading.enumerate()) == before
    assert _leftovers(tmp_path / "run" / "out") == []


def test_a_failed_join_fails_the_run_and_leaves_the_old_files_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    users = [f"question {i} about order A{i}" for i in range(60)]
    data = recipe_data(_chats(tmp_path, users), chunk_size=7)
    out = tmp_path / "run" / "out"
    out.mkdir(parents=True)
    old = {name: f"old {name}\n".encode() for name in ("train.jsonl", "rejects.jsonl")}
    for name, content in old.items():
        (out / name).write_bytes(content)
    real = Joiner._append

    def failing(self: Joiner, src: Any, dst: Any) -> None:
        if self.path.name == "train.jsonl":
            raise OSError("disk full")
        real(self, src, dst)

    monkeypatch.setattr(Joiner, "_append", failing)
    before = set(threading.enumerate())
    with pytest.raises(OSError, match="disk full"):
        run_in(tmp_path / "run", data, workers=2)
    assert {name: (out / name).read_bytes() for name in old} == old
    assert _leftovers(out) == []
    assert set(threading.enumerate()) == before  # no join thread, no input-hashing thread
