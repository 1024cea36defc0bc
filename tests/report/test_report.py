"""``report.html``, opened in a real headless Chromium as a person would."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
from click.testing import CliRunner

from ftprep.cli import cli
from ftprep.engine import parse_recipe, run
from ftprep.report.html import render_report

XSS = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">'


def chats(path: Path, n: int = 60) -> None:
    rows = []
    for i in range(n):
        rows.append(
            {
                "messages": [
                    {"role": "user", "content": f"How do I change setting {i}?"},
                    {"role": "assistant", "content": f"Open Preferences and pick option {i}."},
                ],
                "metadata": {"category": "howto" if i % 4 else "billing"},
            }
        )
    rows.append(  # rejected, so it is shown in the samples: it must stay text
        {
            "messages": [
                {"role": "user", "content": XSS},
                {"role": "assistant", "content": XSS * 300},
            ]
        }
    )
    rows.append({"messages": [{"role": "user", "content": "hi"}], "metadata": {"category": XSS}})
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows) + b"{not json\n")


def run_recipe(tmp_path: Path) -> Path:
    chats(tmp_path / "in.jsonl")
    data = {
        "version": 1,
        "inputs": ["in.jsonl"],
        "outputs": ["train.jsonl"],
        "steps": ["filter.valid", {"filter.length": {"max": 2000}}, "dedup.exact"],
    }
    result = run(parse_recipe(data, base_dir=tmp_path), workers=1)
    assert result.report is not None
    return Path(result.report)


def open_page(browser: Any, path: Path) -> tuple[Any, list[str]]:
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("request", lambda r: None if r.url.startswith("file:") else problems.append(r.url))
    page.goto(path.as_uri())
    return page, problems


def test_the_run_report_shows_its_plots_and_keeps_data_inert(
    browser: Any, tmp_path: Path, artifacts: Path
) -> None:
    report = run_recipe(tmp_path)
    page, problems = open_page(browser, report)
    plots = page.locator("svg.plot")
    assert plots.count() >= 4
    for k in range(plots.count()):
        box = plots.nth(k).bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 30
    assert page.locator("svg.plot rect").count() > 20  # bars drawn
    text = page.inner_text("body")
    for heading in ("Warnings", "Funnel", "The dataset", "Rejected records", "checklist"):
        assert heading in text, heading
    assert "only 60 examples" in text and "needs a human" in text
    # the payload is shown as text and never runs or loads
    assert page.evaluate("window.__xss") is None
    assert page.locator("img").count() == 0 and page.locator("script").count() == 0
    assert "<script>window.__xss" in text
    page.screenshot(path=str(artifacts / "report.png"), full_page=True)
    assert problems == []  # no console error, no request beyond the file itself


def test_ftprep_report_for_a_file_and_escaping(tmp_path: Path) -> None:
    src = tmp_path / "d.jsonl"
    chats(src)
    out = tmp_path / "r.html"
    result = CliRunner().invoke(cli, ["report", str(src), "--out", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text()
    assert XSS not in html and "&lt;script&gt;window.__xss" in html
    assert "<script" not in html.lower()
    page = render_report(title=XSS, dataset=None)
    assert "<script>window" not in page


def test_a_run_folder_report_uses_its_stats(tmp_path: Path) -> None:
    report = run_recipe(tmp_path)
    report.unlink()
    result = CliRunner().invoke(cli, ["report", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert report.exists() and "Funnel" in report.read_text()
    stats = json.loads((tmp_path / "out" / "stats.json").read_text())
    assert stats["dataset"]["records"] == stats["written"]
