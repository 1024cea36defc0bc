"""The review page, used in a real headless Chromium, and its ratings brought back."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path
from typing import Any

import orjson
from click.testing import CliRunner

from ftprep.cli import cli
from ftprep.record import Record
from ftprep.report.review import review_key, review_sample

XSS = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">'


def chats(path: Path) -> list[dict[str, Any]]:
    rows = [
        {
            "id": f"c{i}",
            "messages": [
                {"role": "user", "content": f"Question {i}?"},
                {"role": "assistant", "content": f"Answer {i}."},
            ],
            "metadata": {
                "category": ["billing", "shipping", "account"][i % 3] if i < 90 else "rare"
            },
        }
        for i in range(93)
    ]
    rows.append({"messages": [{"role": "user", "content": XSS}, {"role": "assistant", "content": XSS}],
                 "metadata": {"category": "rare"}})  # fmt: skip
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    return rows


def test_the_sample_is_stratified_and_seeded(tmp_path: Path) -> None:
    rows = chats(tmp_path / "d.jsonl")
    records = [Record.from_dict(r) for r in rows]
    sample = review_sample(records, 20, stratify="metadata.category", seed=1)
    strata = Counter(r.metadata["category"] for r in sample)
    assert sum(strata.values()) == 20 and strata["rare"] >= 1
    assert max(strata["billing"], strata["shipping"], strata["account"]) <= 7
    assert [r.id for r in review_sample(records, 20, stratify="metadata.category", seed=1)] == [
        r.id for r in sample
    ]
    assert [r.id for r in review_sample(reversed(records), 20, stratify="metadata.category",
                                        seed=1)] != []  # fmt: skip
    assert review_key(Record.from_dict(rows[-1])).startswith("sha:")


def test_rate_flag_note_reload_export_and_import(
    browser: Any, tmp_path: Path, artifacts: Path
) -> None:
    src = tmp_path / "d.jsonl"
    chats(src)
    page_file = tmp_path / "review.html"
    result = CliRunner().invoke(cli, ["review", "sample", str(src), str(page_file), "--n", "12",
                                      "--stratify", "metadata.category"])  # fmt: skip
    assert result.exit_code == 0, result.output
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(page_file.as_uri())
    sections = page.locator("section.ex")
    assert sections.count() == 12 and page.inner_text("#progress") == "0 / 12 reviewed"
    keys = [sections.nth(k).get_attribute("data-key") for k in range(3)]
    page.fill("#reviewer", "ann")
    sections.nth(0).locator("input[value='5']").check()
    sections.nth(1).locator("input[value='2']").check()
    sections.nth(2).locator("input.flag").check()
    sections.nth(2).locator("textarea").fill('wrong refund policy, "quoted", with, commas')
    page.reload()  # nothing is lost: the answers live in the browser
    assert page.inner_text("#progress") == "3 / 12 reviewed"
    assert page.locator("section.ex").nth(0).locator("input[value='5']").is_checked()
    assert page.input_value("#reviewer") == "ann"
    with page.expect_download() as download:
        page.click("#export-json")
    exported = json.loads(Path(download.value.path()).read_text())
    with page.expect_download() as download:
        page.click("#export-csv")
    rows = list(csv.DictReader(Path(download.value.path()).read_text().splitlines()))
    page.screenshot(path=str(artifacts / "review.png"))
    assert page.evaluate("window.__xss") is None and page.locator("img").count() == 0
    context.close()
    assert problems == []
    assert exported["reviewer"] == "ann" and len(exported["reviews"]) == 3
    assert {r["key"]: r["notes"] for r in rows}[
        keys[2]
    ] == 'wrong refund policy, "quoted", with, commas'
    # a second reviewer, in CSV: agrees on the first, not on the second
    ann = tmp_path / "ann.json"
    ann.write_text(json.dumps(exported))
    bob = tmp_path / "bob.csv"
    bob.write_text(f"key,rating,flag,notes,reviewer\n{keys[0]},5,false,,bob\n{keys[1]},5,,,bob\n")
    out = tmp_path / "reviewed.jsonl"
    result = CliRunner().invoke(cli, ["review", "import", str(src), str(out), "--reviews", str(ann),
                                      "--reviews", str(bob), "--min-rating", "4", "--no-progress"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (
        "3 records reviewed by 2 reviewer(s); on 2 items rated by several: 50% exact"
        in result.output
    )
    kept = {r.get("id") or "": r for r in map(orjson.loads, out.read_bytes().splitlines())}
    rejects = [
        orjson.loads(x) for x in (tmp_path / "reviewed.rejects.jsonl").read_bytes().splitlines()
    ]
    assert sorted(r["code"] for r in rejects) == ["flagged", "low_review_rating"]
    assert len(kept) == 94 - 2
    first = next(r for r in kept.values() if (r.get("id") or "") == keys[0])
    assert first["metadata"]["review"]["ratings"] == {"ann": 5, "bob": 5}
