"""The review app over HTTP: authentication, CSRF, roles, escaping, stale writes, concurrent
annotators, adjudication, the dashboard and the export through a recipe."""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any

import orjson
import pytest

from ftprep.engine import parse_recipe, run
from ftprep.record import Record
from ftprep.reviewapp.results import dashboard, export, item_outcomes
from ftprep.reviewapp.store import StaleAnswer, Store

pytest.importorskip("flask")
from ftprep.reviewapp.app import create_app

PASSWORD = "correct horse battery"
XSS = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">'


def records(n: int = 6) -> list[Record]:
    out = [
        Record.from_dict({"id": f"r{i}", "messages": [
            {"role": "user", "content": f"How do I do thing {i}?"},
            {"role": "assistant", "content": f"Do it like this {i}.\n```\nrun {i}\n```"}]})
        for i in range(n)
    ]  # fmt: skip
    out.append(Record.from_dict({"id": "evil", "messages": [
        {"role": "user", "content": XSS}, {"role": "assistant", "content": XSS}]}))  # fmt: skip
    return out


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "review.sqlite")
    s.set_setting("per_item", 3)
    for name in ("ann", "bob", "cat"):
        s.add_user(name, "annotator", PASSWORD)
    s.add_user("rev", "reviewer", PASSWORD)
    s.add_user("root", "admin", PASSWORD)
    s.load_items(records())
    s.assign()
    return s


def client(store: Store, name: str | None = None) -> Any:
    app = create_app(store)
    c = app.test_client()
    if name is not None:
        login(c, name)
    return c


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)


def login(c: Any, name: str, password: str = PASSWORD) -> Any:
    token = csrf_of(c.get("/login").get_data(as_text=True))
    return c.post("/login", data={"name": name, "password": password, "csrf": token})


def test_everything_needs_a_login_and_the_login_needs_its_token(store: Store) -> None:
    c = client(store)
    for path in ("/", "/item/1", "/dashboard", "/disagreements", "/export/records.jsonl"):
        response = c.get(path)
        assert response.status_code == 302 and response.location.endswith("/login"), path
    assert c.post("/login", data={"name": "ann", "password": PASSWORD}).status_code == 403
    assert login(c, "ann", "wrong password").status_code == 401
    response = login(c, "ann")
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert c.get("/").status_code == 200


def test_roles_and_assignments_are_checked_on_every_action(store: Store) -> None:
    ann = client(store, "ann")
    assert ann.get("/dashboard").status_code == 403
    assert ann.get("/export/records.jsonl").status_code == 403
    assert ann.get("/item/999").status_code == 404
    rev = client(store, "rev")
    page = rev.get("/item/1").get_data(as_text=True)
    assert rev.post("/item/1", data={"csrf": csrf_of(page), "decision": "accept",
                                     "version": "0"}).status_code == 403  # fmt: skip
    assert rev.get("/export/records.jsonl").status_code == 403
    assert client(store, "root").get("/export/records.jsonl").status_code == 200
    # a fourth annotator gets no items that are full, so may not open them
    store.add_user("dan", "annotator", PASSWORD)
    store.assign()
    assert client(store, "dan").get("/item/1").status_code == 403
    # no route reads files: traversal attempts find nothing
    root = client(store, "root")
    for path in ("/item/..%2F..%2Fetc%2Fpasswd", "/static/../../etc/passwd", "/../review.sqlite",
                 "/export/..%2Freview.sqlite"):  # fmt: skip
        assert root.get(path).status_code == 404, path


def test_csrf_is_required_on_every_post(store: Store) -> None:
    ann = client(store, "ann")
    assert ann.post("/item/1", data={"decision": "accept", "version": "0"}).status_code == 403
    assert ann.post("/item/1", data={"decision": "accept", "version": "0",
                                     "csrf": "forged"}).status_code == 403  # fmt: skip
    assert ann.post("/logout").status_code == 403


def test_data_is_escaped_and_only_the_pages_script_may_run(store: Store) -> None:
    ann = client(store, "ann")
    evil = next(i["id"] for i in store.queue(1) if i["key"] == "evil")
    response = ann.get(f"/item/{evil}")
    html = response.get_data(as_text=True)
    assert XSS not in html and "&lt;script&gt;window.__xss" in html
    nonce = re.search(r"script-src 'nonce-([^']+)'", response.headers["Content-Security-Policy"])
    assert nonce and html.count("<script") == 1 and f'nonce="{nonce.group(1)}"' in html


def answer(c: Any, item: int, decision: str, **extra: str) -> Any:
    page = c.get(f"/item/{item}").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version
    data = {"csrf": csrf_of(page), "decision": decision, "version": version.group(1),
            "score_correctness": "4", **extra}  # fmt: skip
    return c.post(f"/item/{item}", data=data)


def test_a_stale_page_cannot_overwrite_a_newer_answer(store: Store) -> None:
    ann = client(store, "ann")
    page = ann.get("/item/1").get_data(as_text=True)
    token = csrf_of(page)
    first = ann.post("/item/1", data={"csrf": token, "decision": "accept", "version": "0"})
    assert first.status_code == 302
    stale = ann.post("/item/1", data={"csrf": token, "decision": "reject", "version": "0"})
    assert stale.status_code == 409 and "changed elsewhere" in stale.get_data(as_text=True)
    assert store.answer(1, 1)["decision"] == "accept"  # type: ignore[index]
    with pytest.raises(StaleAnswer):
        store.save_answer(1, 1, scores={}, decision="reject", flag=False, notes="", edit=None,
                          version=0)  # fmt: skip


def test_three_annotators_concurrently_then_adjudication_dashboard_and_export(
    store: Store, tmp_path: Path
) -> None:
    names = ("ann", "bob", "cat")
    clients = {n: client(store, n) for n in names}
    items = [i["id"] for i in store.queue(1)]

    def work(name: str) -> None:
        for item in items:
            decision = "reject" if (item == items[0] and name == "cat") else "accept"
            edit = {"edit": "A better answer."} if item == items[1] else {}
            assert answer(clients[name], item, decision, **edit).status_code == 302

    threads = [threading.Thread(target=work, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    outcomes = {o["id"]: o for o in item_outcomes(store)}
    assert outcomes[items[0]]["outcome"] == "disagreement"
    assert all(outcomes[i]["outcome"] == "accept" for i in items[1:])
    rev = client(store, "rev")
    listed = rev.get("/disagreements").get_data(as_text=True)
    assert f"/item/{items[0]}" in listed
    page = rev.get(f"/item/{items[0]}").get_data(as_text=True)
    assert rev.post(f"/adjudicate/{items[0]}", data={"csrf": csrf_of(page), "decision": "reject",
                                                    "notes": "wrong"}).status_code == 302  # fmt: skip
    d = dashboard(store)
    assert d["decision"]["fleiss_kappa"] is not None and len(d["decision"]["pairs"]) == 3
    assert [p["done"] for p in d["progress"]] == [len(items)] * 3
    html = rev.get("/dashboard").get_data(as_text=True)
    assert "Fleiss" in html and "Krippendorff" in html
    accepted, ratings = export(store)
    assert len(accepted) == len(items) - 1 and len(ratings) == 3 * len(items)
    edited = next(r for r in accepted if r["metadata"]["review_app"]["edited"])
    assert edited["messages"][-1]["content"] == "A better answer."
    # the export is a recipe input like any other
    src = tmp_path / "accepted.jsonl"
    src.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in accepted))
    data = {"version": 1, "inputs": ["accepted.jsonl"], "outputs": ["train.jsonl"],
            "steps": ["filter.valid"]}  # fmt: skip
    result = run(parse_recipe(data, base_dir=tmp_path), workers=1)
    assert result.written == len(accepted)


def test_assignment_is_balanced(tmp_path: Path) -> None:
    s = Store(tmp_path / "r.sqlite")
    s.set_setting("per_item", 2)
    for name in ("a1", "a2", "a3", "a4", "a5"):
        s.add_user(name, "annotator", PASSWORD)
    s.load_items(records(19))
    assert s.assign() == 2 * 20
    loads = [len(s.queue(u["id"])) for u in s.users("annotator")]
    assert max(loads) - min(loads) <= 1 and s.assign() == 0


def test_a_review_project_is_a_recipe_input(store: Store, tmp_path: Path) -> None:
    ids = [u["id"] for u in store.users("annotator")]
    items = [i["id"] for i in store.items()]
    for user in ids:  # item 1: accepted by all, with one edit; item 2: split; item 3: rejected
        store.save_answer(items[0], user, scores={}, decision="accept", flag=False, notes="",
                          edit="Fixed." if user == ids[0] else None, version=0)  # fmt: skip
        store.save_answer(items[1], user, scores={}, decision="accept" if user == ids[0] else
                          "reject", flag=False, notes="", edit=None, version=0)  # fmt: skip
        store.save_answer(items[2], user, scores={}, decision="reject", flag=False, notes="",
                          edit=None, version=0)  # fmt: skip
    data = {"version": 1, "inputs": [{"review": {"db": "review.sqlite"}}],
            "outputs": ["train.jsonl"], "steps": ["filter.valid"]}  # fmt: skip
    result = run(parse_recipe(data, base_dir=tmp_path), workers=1)
    (collected,) = result.collected
    assert collected["rows"] == len(items) and collected["records"] == 1
    assert collected["reasons"] == {
        "disagreement": 1, "rejected_by_reviewers": 1, "pending": len(items) - 3,
    }  # fmt: skip
    (kept,) = [orjson.loads(x) for x in (tmp_path / "out/train.jsonl").read_bytes().splitlines()]
    assert kept["messages"][-1]["content"] == "Fixed." and kept["metadata"]["review_app"]["edited"]
