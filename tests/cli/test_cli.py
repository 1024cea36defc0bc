"""The commands as a user runs them: exit statuses, messages, files written."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from ftprep.cli import cli
from ftprep.cli.common import run_guarded

GOOD = '{"messages": [{"role": "system", "content": "Be kind."}, {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello! How can I help?"}]}\n'


def run(*args: str) -> tuple[int, str]:
    import sys

    runner = CliRunner()
    old = sys.argv
    sys.argv = ["ftprep", *args]
    try:
        with runner.isolation() as (out, err, _):
            code = run_guarded(cli)
            return code, out.getvalue().decode() + err.getvalue().decode()
    finally:
        sys.argv = old


def test_validate_ok_and_errors(tmp_path: Path) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text(GOOD * 3)
    code, out = run("validate", str(good))
    assert code == 0 and "OK: no errors" in out and "approximate" in out
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(
        b"\xef\xbb\xbf"
        + GOOD.encode()
        + b'{"messages": [{"role": "bot", "content": "x"}]}\r\n'
        + b"{not json\n"
    )
    code, out = run("validate", str(bad))
    assert code == 1
    assert f"{bad}:2: messages[0].role" in out and "unknown_role" in out
    assert f"{bad}:3" in out and "invalid_json" in out


def test_validate_json_strict_overrides_and_findings(tmp_path: Path) -> None:
    f = tmp_path / "t.jsonl"
    f.write_text(
        '{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello there"}]}\n'
    )
    code, out = run("validate", str(f), "--json", "--no-tokens")
    assert code == 0 and json.loads(out)["counts"]["no_system_message"]["count"] == 1
    code, out = run(
        "validate",
        str(f),
        "--error",
        "no_system_message",
        "--findings",
        str(tmp_path / "all.jsonl"),
    )
    assert code == 1
    assert (
        json.loads((tmp_path / "all.jsonl").read_text().splitlines()[0])["code"]
        == "no_system_message"
    )
    code, _ = run("validate", str(f), "--ignore", "no_system_message", "--strict")
    assert code == 0
    code, out = run("validate", str(f), "--error", "no_such_code")
    assert code == 2 and "no_such_code" in out
    code, out = run("validate", str(f), "--tokenizer", str(tmp_path / "missing.json"))
    assert code == 2 and "missing.json" in out


def test_convert_reports_accounting_losses_and_rejects(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    tool_chat = {
        "messages": [
            {"role": "user", "content": "Track A1"},
            {
                "role": "assistant",
                "tool_calls": [
                    {
                        "id": "c",
                        "type": "function",
                        "function": {"name": "track", "arguments": "{}"},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "c", "content": "shipped"},
            {"role": "assistant", "content": "Shipped."},
        ],
        "tools": [
            {"type": "function", "function": {"name": "track", "parameters": {"type": "object"}}}
        ],
    }
    src.write_text(
        GOOD
        + json.dumps(tool_chat)
        + "\n"
        + '{"messages": [{"role": "user", "content": "only"}]}\n'
        + "[1]\n"
    )
    dst = tmp_path / "out.json"
    code, out = run("convert", str(src), str(dst), "--to", "alpaca")
    assert code == 0, out
    assert "read 4 = written 2 + rejected 2" in out
    assert "tools: 1" in out
    rejects = [
        json.loads(line) for line in (tmp_path / "out.rejects.jsonl").read_text().splitlines()
    ]
    assert [(r["line"], r["code"]) for r in rejects] == [(3, "unconvertible"), (4, "not_an_object")]
    assert len(json.loads(dst.read_text())) == 2


def test_convert_detection_error_is_clean(tmp_path: Path) -> None:
    src = tmp_path / "qa.jsonl"
    src.write_text('{"question": "q", "answer": "a"}\n')
    code, out = run("convert", str(src), str(tmp_path / "o.jsonl"))
    assert code == 2 and "--map" in out and "Traceback" not in out
    code, out = run(
        "convert", str(src), str(tmp_path / "o.jsonl"), "--map", "prompt=question,response=answer"
    )
    assert code == 0 and "written 1" in out


def test_demo_runs_end_to_end(tmp_path: Path) -> None:
    code, out = run("demo", "--out", str(tmp_path / "demo"), "-n", "240", "--workers", "1")
    assert code == 0, out
    demo = tmp_path / "demo"
    for name in (
        "messy_chats.jsonl",
        "helpdesk_export.csv",
        "findings.jsonl",
        "recipe.yaml",
        "clean/train.jsonl",
        "clean/train.sharegpt.json",
        "clean/rejects.jsonl",
        "clean/stats.json",
        "clean/manifest.json",
        "clean/report.html",
        "clean/review.html",
        "clean/README.md",
        "clean/axolotl.yaml",
        "clean/dataset_info.json",
    ):
        assert (demo / name).exists(), name
    assert "OK: no errors" in out
    stats = json.loads((demo / "clean" / "stats.json").read_text())
    reasons = stats["reject_reasons"]
    for code in ("invalid_json", "tool_call_unanswered", "refusal", "error_reply", "duplicate"):
        assert reasons.get(code), (code, reasons)
    pii = next(s for s in stats["steps"] if s["step"] == "pii.redact")
    assert pii["counts"]["pii.email"] > 50
    # the collect stage: the helpdesk export's rows became conversations or rejects
    (collected,) = stats["collect"]
    assert collected["records"] > 10 and collected["reasons"].get("low_rating")
    assert collected["rows"] == collected["rows_in_records"] + collected["rejected"]
    assert "rows = " in out and "conversations" in out
    assert stats["dataset"]["records"] == stats["written"]  # dataset.stats measured the output
