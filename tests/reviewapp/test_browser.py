"""The review app in a real headless Chromium: three annotators (two at once), keyboard
rating, a reply edited, a disagreement adjudicated, the agreement shown, data kept inert."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from ftprep.cli import cli
from ftprep.engine import parse_recipe, run
from ftprep.reading import open_source, records_of
from ftprep.record import Record
from ftprep.reviewapp.results import export
from ftprep.reviewapp.store import Store

pytest.importorskip("flask")
from werkzeug.serving import make_server

from ftprep.reviewapp.app import create_app

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
PASSWORD = "correct horse battery"
XSS = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">'


def dataset(tmp_path: Path) -> list[Record]:
    toy = SHARED / "openai-cookbook" / "toy_chat_fine_tuning.jsonl"
    if toy.exists():
        found = [
            r
            for r in records_of(open_source(toy))
            if any(m.role == "assistant" for m in r.messages)
        ]
        chosen = found[:4]
    else:
        chosen = [Record.from_dict({"messages": [{"role": "user", "content": f"Q{i}"},
                  {"role": "assistant", "content": f"A{i}"}]}) for i in range(4)]  # fmt: skip
    chosen.append(Record.from_dict({"id": "evil", "messages": [
        {"role": "user", "content": XSS}, {"role": "assistant", "content": XSS}]}))  # fmt: skip
    return chosen


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Store]]:
    store = Store(tmp_path / "review.sqlite")
    for name in ("ann", "bob", "cat"):
        store.add_user(name, "annotator", PASSWORD)
    store.add_user("rev", "reviewer", PASSWORD)
    store.load_items(dataset(tmp_path))
    store.assign()
    http = make_server("127.0.0.1", 0, create_app(store), threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}", store
    http.shutdown()


def log_in(browser: Any, url: str, name: str, problems: list[str]) -> Any:
    page = browser.new_context().new_page()
    page.on(
        "console", lambda m: problems.append(f"{name}: {m.text}") if m.type == "error" else None
    )
    page.on("pageerror", lambda e: problems.append(f"{name}: {e}"))
    page.goto(url + "/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button")
    page.wait_for_url(lambda u: "/login" not in u)
    return page


def test_three_annotators_a_reviewer_and_the_dashboard(
    browser: Any, server: tuple[str, Store], artifacts: Path, tmp_path: Path
) -> None:
    url, store = server
    problems: list[str] = []
    ann, bob = log_in(browser, url, "ann", problems), log_in(browser, url, "bob", problems)
    first = store.queue(1)[0]["id"]
    # ann and bob open the same item at once; each answers with the keyboard only
    for page in (ann, bob):
        page.goto(f"{url}/item/{first}")
    for page in (ann, bob):
        page.keyboard.type("454345")  # a score per criterion, moving down the rubric
        page.keyboard.press("a")
    for page in (ann, bob):
        with page.expect_navigation():
            page.keyboard.press("Enter")
    mine = store.answer(first, 1)
    assert mine is not None and mine["decision"] == "accept"
    assert mine["scores"] == {"correctness": 4, "relevance": 5, "completeness": 4, "grammar": 3,
                              "tone": 4, "formatting": 5}  # fmt: skip
    assert store.answer(first, 2) is not None
    ann.screenshot(path=str(artifacts / "review-app-annotator.png"))
    # the rest of ann's and bob's queues; ann edits the reply of the second item
    for name, page in (("ann", ann), ("bob", bob)):
        user = next(u["id"] for u in store.users() if u["name"] == name)
        for item in [i["id"] for i in store.queue(user) if not i["done"]]:
            page.goto(f"{url}/item/{item}")
            if name == "ann" and item == store.queue(user)[1]["id"]:
                page.fill("#edit", "An edited, better reply.")
                page.click("h1")  # out of the text box: keys are shortcuts again
            page.keyboard.press("a")
            with page.expect_navigation():
                page.click("#save")
    # cat rejects the first item: a disagreement
    cat = log_in(browser, url, "cat", problems)
    for item in [i["id"] for i in store.queue(3)]:
        cat.goto(f"{url}/item/{item}")
        cat.keyboard.press("r" if item == first else "a")
        with cat.expect_navigation():
            cat.keyboard.press("Enter")
    assert cat.evaluate("window.__xss") is None and cat.locator("img").count() == 0
    rev = log_in(browser, url, "rev", problems)
    rev.goto(f"{url}/disagreements")
    with rev.expect_navigation():
        rev.click(f"a[href='/item/{first}']")
    rev.check("form[action*=adjudicate] input[value=accept]")
    with rev.expect_navigation():
        rev.click("#adjudicate")
    rev.goto(f"{url}/dashboard")
    text = rev.inner_text("#agreement")
    assert "Fleiss' kappa" in text and "Krippendorff" in text and "Cohen's kappa ann ~ bob" in text
    rev.screenshot(path=str(artifacts / "review-app-dashboard.png"), full_page=True)
    assert problems == []
    accepted, _ = export(store)
    assert len(accepted) == len(store.items())  # all accepted, the first by adjudication
    (edited,) = [r for r in accepted if r["metadata"]["review_app"]["edited"]]
    assert edited["messages"][-1]["content"] == "An edited, better reply."
    # the session's export goes through a recipe like any input
    export_file = tmp_path / "accepted.jsonl"
    result = CliRunner().invoke(
        cli, ["review", "export", str(export_file), "--db", str(store.path)]
    )
    assert result.exit_code == 0, result.output
    recipe = {"version": 1, "inputs": ["accepted.jsonl"], "outputs": ["train.jsonl"],
              "steps": ["filter.valid", "dedup.exact"]}  # fmt: skip
    assert run(parse_recipe(recipe, base_dir=tmp_path), workers=1).read == len(accepted)
