"""The report is the same whatever the number of workers, and whichever path an example takes.

Thresholds are lowered so that a small file is cut into many ranges (and read in small chunks),
which puts range and chunk boundaries everywhere: inside long lines, before the last line...
"""

from __future__ import annotations

import io
import itertools
import json
from pathlib import Path
from typing import Any

import pytest

import ftprep.io.jsonl as jsonl
from ftprep.demo import generate_messy_chats
from ftprep.io.jsonl import iter_line_batches, iter_line_blocks, split_line_ranges
from ftprep.validate import StrictStop, ValidationReport, parallel, render_text, run, validate

SYSTEM = {"role": "system", "content": "You are a helpful support agent for Acme."}


def chat(*turns: tuple[str, Any], **top: Any) -> str:
    messages = [SYSTEM, *({"role": r, "content": c} for r, c in turns)]
    return json.dumps({"messages": messages, **top}, ensure_ascii=False)


#: lines on both sides of every fast-path test (see ftprep.validate.fast)
EDGE_LINES = [
    chat(("user", "   "), ("assistant", "Sure.")),  # blank content
    '{"messages": []}',
    chat(("user", "Hi"), ("assistant", "I'm sorry, but I can't help with that.")),
    chat(("user", "Hi"), ("assistant", "...I cannot help with that request")),
    chat(("user", "Hi"), ("assistant", "\u0130 cannot help you with that")),  # dotted capital I
    chat(("user", "Hi"), ("assistant", "Unfortunately, I can't assist with that.")),
    chat(("user", "Hi"), ("assistant", "Thanks! I can't help with that, but here is a link.")),
    chat(("user", "Hi"), ("assistant", "As an AI language model, I have no opinion.")),
    chat(("user", "Hi"), ("assistant", "as an ai, I can not say")),
    chat(("user", "Hi {{name}}"), ("assistant", "Hello [insert date] and {% if x %}")),
    chat(("user", "Ã©tÃ© is here"), ("assistant", "Caf\u00e9 \ufffd done")),
    chat(("user", "Hi"), ("assistant", "k")),
    chat(("user", "Hi"), ("assistant", "la " * 9000)),  # long and repetitive
    chat(("user", "Hi"), ("assistant", "Hello"), ("user", "Hi"), ("assistant", "Again")),
    chat(("user", "Hi"), ("user", "Hello?"), ("assistant", "Yes.")),
    json.dumps({"messages": [{"role": "user", "content": "Hi"}, SYSTEM]}),
    json.dumps(
        {
            "messages": [
                {"role": "developer", "content": "Be nice"},
                {"role": "user", "content": "a"},
                {"role": "assistant", "content": "b"},
            ]
        }
    ),
    json.dumps(
        {
            "messages": [
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Hello", "weight": 0},
            ]
        }
    ),
    json.dumps(
        {
            "messages": [
                {"role": "user", "content": "Hi", "weight": 1},
                {"role": "assistant", "content": "Ok"},
            ]
        }
    ),
    json.dumps(
        {
            "messages": [
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Ok", "weight": 2},
            ]
        }
    ),
    json.dumps(
        {
            "messages": [
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Ok", "weight": True},
            ]
        }
    ),
    json.dumps(
        {
            "messages": [
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Ok", "weight": 1.0},
            ]
        }
    ),
    '{"messages": [{"role": "user", "role": "assistant", "content": "Hello there"}]}',
    '{"messages": [{"role": "assistant", "content": "Hello", "content": null}]}',
    json.dumps(
        {
            "messages": [
                SYSTEM,
                {"role": "user", "content": "a\u2028b\u0000c"},
                {"role": "assistant", "content": "ok"},
            ],
            "id": 7,
            "metadata": {"n": 10**30, "x": [1, {"y": None}]},
        }
    ),
    json.dumps(
        {
            "messages": [
                SYSTEM,
                {"role": "user", "content": "a"},
                {"role": "assistant", "content": "b"},
            ],
            "extra": 1,
        }
    ),
    json.dumps(
        {
            "messages": [
                {"role": "sytem", "content": "x"},
                {"role": "user", "content": "a"},
                {"role": "assistant", "content": "b"},
            ]
        }
    ),
    json.dumps(
        {
            "messages": [
                {"role": "user", "content": [{"type": "text", "text": "hi"}]},
                {"role": "assistant", "content": "b"},
            ]
        }
    ),
    json.dumps({"text": "plain text record"}),
    chat(("user", "Hi"), ("assistant", "Hello")) + "\r",
    "",
    "   ",
    "[1, 2]",
    "null",
    '{"messages": [',
    '{"messages": "\\ud800"}',
    chat(("user", "Same prompt?"), ("assistant", "Yes"), system="x") + "x",
]


def write_messy(path: Path, n: int = 1500) -> Path:
    """A messy chat file with the edge lines spread through it, a BOM and a cut-off last line."""
    generate_messy_chats(path, n=n, seed=3)
    lines = path.read_bytes().decode("utf-8").split("\n")[:-1]
    step = max(1, len(lines) // len(EDGE_LINES))
    for k, edge in enumerate(EDGE_LINES):
        lines.insert(k * step + k, edge)
    lines.insert(len(lines) // 2, '{"messages": [{"role": "user", "content": "\xff"}]}')
    data = ("\ufeff" + "\n".join(lines) + "\n" + chat(("user", "cut"))[:-5]).encode("utf-8")
    data = data.replace(b'"\xc3\xbf"', b'"\xff"')  # one line of invalid UTF-8
    path.write_bytes(data)
    return path


@pytest.fixture
def small_ranges(monkeypatch: pytest.MonkeyPatch) -> None:
    """Share even a small file, cut it into small ranges and read it in small chunks."""
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(parallel, "MIN_RANGE_BYTES", 1)
    monkeypatch.setattr(jsonl, "CHUNK_SIZE", 4096)


def as_outputs(report: ValidationReport) -> tuple[str, bytes]:
    return render_text(report, examples=5), json.dumps(report.to_dict(), indent=1).encode()


def test_split_line_ranges_cover_the_file_at_newlines(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    path.write_bytes(b"a\n\nbb\n" + b"c" * 100 + b"\nd")
    ranges = split_line_ranges(path, 5, min_bytes=1)
    data = path.read_bytes()
    assert ranges[0][0] == 0 and ranges[-1][1] == len(data)
    assert all(a < b for a, b in ranges)
    assert all(end == start for (_, end), (start, _) in itertools.pairwise(ranges))
    assert all(data[end - 1 : end] == b"\n" for _, end in ranges[:-1])
    assert split_line_ranges(path, 5, min_bytes=len(data)) == [(0, len(data))]


@pytest.mark.usefixtures("small_ranges")
def test_ranges_read_the_same_lines_as_the_whole_file(tmp_path: Path) -> None:
    path = write_messy(tmp_path / "m.jsonl", n=300)
    whole = [(line, final) for lines, final in iter_line_batches(path) for line in lines]
    parts = [
        (line, final)
        for start, end in split_line_ranges(path, 13, min_bytes=1)
        for lines, final in iter_line_batches(path, start, end)
        for line in lines
    ]
    assert len(split_line_ranges(path, 13, min_bytes=1)) == 13
    assert parts == whole
    assert whole[-1][1] and not any(final for _, final in whole[:-1])


def _block_lines(path: Path, start: int = 0, end: int | None = None) -> list[tuple[bytes, bool]]:
    out = []
    for data, begin, stop, final in iter_line_blocks(path, start, end):
        block = data[begin:stop]
        assert final or block.endswith(b"\n")
        lines = block.split(b"\n")
        if not final:
            lines.pop()  # after the block's last newline
        out += [(line, final) for line in lines]
    return out


@pytest.mark.parametrize("chunk", [3, 7, 64, 4096, 1 << 20])
def test_line_blocks_hold_the_same_lines_as_the_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr(jsonl, "CHUNK_SIZE", chunk)
    path = write_messy(tmp_path / "m.jsonl", n=120)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes() + b'\n\n{"cut": ')  # BOM, blanks
    whole = [(line, final) for lines, final in iter_line_batches(path) for line in lines]
    assert _block_lines(path) == whole
    ranges = split_line_ranges(path, 7, min_bytes=1)
    assert [x for start, end in ranges for x in _block_lines(path, start, end)] == whole


@pytest.mark.usefixtures("small_ranges")
@pytest.mark.parametrize("tokens", [False, True])
def test_report_is_the_same_with_1_2_or_3_workers(tmp_path: Path, tokens: bool) -> None:
    path = write_messy(tmp_path / "m.jsonl")
    assert len(parallel.plan_ranges(path, 3)) == 3 * parallel.RANGES_PER_WORKER
    outputs = []
    for workers in (1, 2, 3):
        sink = io.BytesIO()
        report = validate(path, workers=workers, count_tokens=tokens, findings_out=sink)
        outputs.append((*as_outputs(report), sink.getvalue()))
    assert outputs[0] == outputs[1] == outputs[2]
    text, _, findings = outputs[0]
    assert "invalid_utf8" in text and "refusal" in text and "ai_hedging" in text
    lines = [json.loads(x)["line"] for x in findings.splitlines()]
    assert max(x for x in lines if x is not None) > 1000  # line numbers were offset
    assert lines == sorted(lines, key=lambda x: float("inf") if x is None else x)


@pytest.mark.usefixtures("small_ranges")
def test_fast_path_reports_what_the_general_path_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_messy(tmp_path / "m.jsonl")
    fast = as_outputs(validate(path, workers=2))

    class Refuses:
        def decode(self, _raw: bytes) -> Any:
            raise ValueError("general path only")

    monkeypatch.setattr(run, "decoder", Refuses)
    monkeypatch.setattr(run, "tool_decoder", Refuses)
    assert as_outputs(validate(path, workers=1)) == fast


@pytest.mark.usefixtures("small_ranges")
def test_strict_stops_at_the_first_error_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    clean = chat(("user", "Hi"), ("assistant", "Hello, how can I help?"))
    lines = [clean] * 400 + ['{"messages": 3}'] + [clean] * 100 + ["[1]"] + [clean] * 100
    path.write_text("\n".join(lines) + "\n")
    stops = []
    for workers in (1, 3):
        sink = io.BytesIO()
        with pytest.raises(StrictStop) as stop:
            validate(path, workers=workers, strict=True, findings_out=sink)
        stops.append((str(stop.value), sink.getvalue()))
    assert stops[0] == stops[1]
    assert stops[0][0].startswith(f"{path}:401: messages: error [missing_messages]")


@pytest.mark.usefixtures("small_ranges")
def test_many_system_prompts_fall_back_to_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(run, "MAX_SYSTEM_PROMPTS", 7)
    monkeypatch.setattr(parallel, "MAX_SYSTEM_PROMPTS", 7)
    path = tmp_path / "p.jsonl"
    rows = []
    for i in range(600):
        system = {"role": "system", "content": f"Prompt {i % 5 if i < 300 else i % 40}"}
        user, bot = {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}
        rows.append(json.dumps({"messages": [system, user, bot]}))
    path.write_text("\n".join(rows) + "\n")
    calls = []
    real = parallel.scan_parallel
    monkeypatch.setattr(
        "ftprep.validate.scan_parallel", lambda *a: calls.append(real(*a)) or calls[-1]
    )
    one = validate(path, workers=1)
    three = validate(path, workers=3)
    assert calls == [False]  # the workers gave up: a later range met too many prompts
    assert as_outputs(three) == as_outputs(one)
    assert len(one.system_prompts) == 7 and "7 distinct" in render_text(one)


@pytest.mark.usefixtures("small_ranges")
def test_a_failing_worker_is_rerun_in_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_messy(tmp_path / "m.jsonl", n=400)

    def boom(self: run.Checker, row: Any, messages: Any, line: int) -> None:
        raise RuntimeError(f"counter failed at line {line}")

    monkeypatch.setattr(run.Checker, "_tokens", boom)
    with pytest.raises(RuntimeError, match=r"counter failed at line 2$"):
        validate(path, workers=2)


def test_small_files_and_other_containers_stay_in_one_process(tmp_path: Path) -> None:
    path = write_messy(tmp_path / "m.jsonl", n=50)
    assert parallel.plan_ranges(path, 4) == []
    assert parallel.plan_ranges(path, 1) == []
    assert parallel.resolve_workers("auto") >= 1
    with pytest.raises(ValueError, match="positive integer"):
        parallel.resolve_workers(0)
    with pytest.raises(ValueError, match="positive integer"):
        validate(path, workers="many")


def test_parts_are_settled_once_the_ranges_before_a_strict_stop_are_in() -> None:
    from ftprep.validate.findings import Finding

    stop = Finding("missing_messages", "error", "f", 3)
    part = parallel._Part
    assert not parallel._settled([part(0), part(2)])
    assert not parallel._settled([part(2, stop=stop), part(0)])
    assert parallel._settled([part(2, stop=stop), part(0), part(1)])
    assert parallel._settled([part(0, stop=stop)])
