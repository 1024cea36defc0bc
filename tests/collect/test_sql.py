"""``collect.sql``: the same collector over SQLite files and a live PostgreSQL server."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner

from ftprep.cli import cli
from ftprep.collect.sql import SqlSpec, mask_url
from ftprep.engine import parse_recipe, run

sqlalchemy = pytest.importorskip("sqlalchemy")

UTC = dt.UTC
BASE = dt.datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
ROWS = [  # (session, minutes after BASE, sender, text, rating, agent)
    ("s1", 0, "customer", "My order has not come.", None, None),
    ("s2", 1, "customer", "Hi", None, None),
    ("s1", 3, "agent", "It ships tomorrow.", 5, "human"),
    ("s1", 2, "customer", "It was due Monday.", None, None),
    ("s2", 4, "bot", "Hello! How can I help?", 2, "bot"),
    ("s3", 5, "customer", "Where is the invoice?", None, None),
    ("s3", 6, "wizard", "??", None, None),
    ("s3", 7, "agent", "In your account page.", 4, "human"),
]
FIELDS = {"session": "sid", "timestamp": "ts", "sender": "who", "text": "body"}


def records(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(x) for x in path.read_bytes().splitlines()]


def sqlite_log(path: Path, epoch: bool = False) -> None:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE chat (sid TEXT, ts, who TEXT, body TEXT, stars REAL, kind TEXT)")
    for sid, minute, who, body, stars, kind in ROWS:
        when = BASE + dt.timedelta(minutes=minute)
        ts = when.timestamp() if epoch else when.isoformat()
        con.execute("INSERT INTO chat VALUES (?, ?, ?, ?, ?, ?)", (sid, ts, who, body, stars, kind))
    con.commit()
    con.close()


def test_sqlite_gives_what_the_same_rows_give_from_a_file(tmp_path: Path) -> None:
    sqlite_log(tmp_path / "chat.db")
    jsonl = tmp_path / "chat.jsonl"
    jsonl.write_bytes(
        b"".join(
            orjson.dumps(
                {"sid": s, "ts": (BASE + dt.timedelta(minutes=m)).isoformat(), "who": w,
                 "body": b, "stars": r, "kind": k}
            ) + b"\n"
            for s, m, w, b, r, k in ROWS
        )
    )  # fmt: skip
    spec = {**FIELDS, "rating": "stars", "agent_type": "kind"}
    data = {
        "version": 1,
        "inputs": [{"sql": {"url": "sqlite:///chat.db", "table": "chat", **spec}}],
        "outputs": ["sql.jsonl"],
    }
    from_sql = run(parse_recipe(data, base_dir=tmp_path), workers=1)  # the URL is recipe-relative
    data["inputs"] = [{"logs": {"path": "chat.jsonl", **spec}}]
    data["outputs"] = ["file.jsonl"]
    from_file = run(parse_recipe(data, base_dir=tmp_path), workers=1)
    sql_records, file_records = (
        records(tmp_path / "out/sql.jsonl"),
        records(tmp_path / "out/file.jsonl"),
    )
    for r in sql_records:
        assert r["metadata"].pop("source") == "sql"
    for r in file_records:
        assert r["metadata"].pop("source") == "logs"
    assert sql_records == file_records and len(sql_records) == 2
    (collected,) = from_sql.collected
    assert collected["source"] == f"sqlite:///{tmp_path / 'chat.db'}#chat"
    assert (collected["rows"], collected["rejected"]) == (8, 3)
    assert from_file.collected[0]["reasons"] == collected["reasons"]


def test_a_table_or_a_query_and_a_url() -> None:
    with pytest.raises(ValueError, match="a table or a query"):
        SqlSpec(url="sqlite://", session="s")
    with pytest.raises(ValueError, match="a table or a query"):
        SqlSpec(url="sqlite://", session="s", table="t", query="SELECT 1")
    spec = SqlSpec(url="postgresql://u:hunter2@db.example/x", table="t", session="s")
    assert "hunter2" not in str(spec.model_dump())
    assert mask_url("postgresql://u:hunter2@h:5432/d") == "postgresql://u:***@h:5432/d"


PASSWORD = "s3cret-pw-7f9d"  # the test server's (conftest.py)


def pg_load(url: str, table: str, rows: list[tuple[Any, ...]], offset: int = 0) -> None:
    engine = sqlalchemy.create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sqlalchemy.text(
                f"CREATE TABLE IF NOT EXISTS {table} (id serial PRIMARY KEY, sid text, "
                "ts timestamptz, who text, body text, stars numeric(3,1), kind text, "
                "resolved boolean DEFAULT true)"
            )
        )
        for sid, minute, who, body, stars, kind in rows:
            conn.execute(
                sqlalchemy.text(
                    f"INSERT INTO {table} (sid, ts, who, body, stars, kind) "
                    "VALUES (:sid, :ts, :who, :body, :stars, :kind)"
                ),
                {"sid": sid, "ts": BASE + dt.timedelta(minutes=minute + offset), "who": who,
                 "body": body, "stars": stars, "kind": kind},
            )  # fmt: skip
    engine.dispose()


def test_postgres_streams_sessions_and_keeps_the_password_secret(
    postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pg_load(postgres_url, "chat_a", ROWS)
    monkeypatch.setenv("DATABASE_URL", postgres_url)  # the URL comes from the environment
    out = tmp_path / "convos.jsonl"
    args = [
        "collect", "sql", str(out), "--table", "chat_a", "--session-field", "sid",
        "--timestamp-field", "ts", "--sender-field", "who", "--text-field", "body",
        "--rating-field", "stars", "--agent-type-field", "kind", "--agent-types", "human",
        "--batch-size", "2", "--incremental", "--no-progress",
    ]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "8 rows = 3 in 1 conversations + 5 rejected" in result.output
    (s1,) = records(out)
    assert s1["id"] == "s1" and s1["metadata"]["rating"] == 5  # numeric(3,1) 5.0 -> 5
    assert s1["metadata"]["started_at"] == "2024-05-01T10:00:00Z"
    assert [m["content"] for m in s1["messages"]] == [
        "My order has not come.\n\nIt was due Monday.", "It ships tomorrow.",
    ]  # fmt: skip
    for written in [out, *tmp_path.glob("convos.jsonl.*")]:
        assert PASSWORD not in written.read_text(), written
    assert PASSWORD not in result.output
    rejects = records(tmp_path / "convos.rejects.jsonl")
    assert {r["code"] for r in rejects} == {"agent_type", "unknown_sender", "broken_session"}
    assert all(r["file"].endswith("/postgres#chat_a") and "***" in r["file"] for r in rejects)
    # a day later: new rows; the database is asked only for rows after the watermark
    pg_load(postgres_url, "chat_a", [("s9", 0, "customer", "Q", None, None),
                                     ("s9", 1, "agent", "A", 4, "human")], offset=1440)  # fmt: skip
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 0, again.output
    assert "2 rows = 2 in 1 conversations + 0 rejected" in again.output
    assert [r["id"] for r in records(out)] == ["s9"]


def test_postgres_query_with_a_date_window_in_the_where_clause(
    postgres_url: str, tmp_path: Path
) -> None:
    pg_load(postgres_url, "chat_b", ROWS)
    spec = {
        "url": postgres_url, **FIELDS,
        "query": "SELECT c.*, 'resolved' AS state FROM chat_b c WHERE c.resolved;",
        "status": "state", "statuses": ["resolved"],
        "since": "2024-05-01T10:04:00Z", "until": "2024-05-01T11:00:00Z",
    }  # fmt: skip
    data = {"version": 1, "inputs": [{"sql": spec}], "outputs": ["w.jsonl"]}
    result = run(parse_recipe(data, base_dir=tmp_path), workers=1)
    (collected,) = result.collected
    # rows before 10:04 were never read: no rejects for them
    assert collected["rows"] == 4
    assert collected["reasons"] == {"broken_session": 2, "no_user_turn": 1, "unknown_sender": 1}
    manifest = (tmp_path / "out/manifest.json").read_text()
    assert "***" in manifest and postgres_url not in manifest


def test_a_wrong_password_says_so_without_showing_it(postgres_url: str, tmp_path: Path) -> None:
    bad = postgres_url.replace("@127.0.0.1", "x@127.0.0.1")
    result = CliRunner().invoke(
        cli, ["collect", "sql", str(tmp_path / "o.jsonl"), "--url", bad, "--table", "t",
              "--session-field", "s"],
    )  # fmt: skip
    message = str(result.exception)
    assert result.exit_code != 0 and "password authentication failed" in message
    assert "ftprep:***@127.0.0.1" in message and PASSWORD not in message


def test_one_recipe_collects_a_log_a_sqlite_file_and_postgres_into_one_dataset(
    postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's acceptance test: three sources, filters, session grouping, one dataset."""
    (tmp_path / "chat.jsonl").write_bytes(
        b"".join(
            orjson.dumps(
                {"sid": f"file-{s}", "ts": (BASE + dt.timedelta(minutes=m)).isoformat(), "who": w,
                 "body": b, "stars": r, "kind": k}
            ) + b"\n"
            for s, m, w, b, r, k in ROWS
        )
    )  # fmt: skip
    sqlite_log(tmp_path / "chat.db")
    pg_load(postgres_url, "chat_c", ROWS)
    monkeypatch.setenv("SUPPORT_DB", postgres_url)
    filters = {**FIELDS, "rating": "stars", "min_rating": 4, "agent_type": "kind",
               "agent_types": ["human"]}  # fmt: skip
    data = {
        "version": 1,
        "inputs": [
            {"logs": {"path": "chat.jsonl", **filters}},
            {"sql": {"url": "sqlite:///chat.db", "table": "chat", **filters}},
            {"sql": {"url_env": "SUPPORT_DB", "table": "chat_c", **filters}},
        ],
        "outputs": ["train.jsonl"],
        "steps": ["normalize.unicode", "filter.valid", "dedup.exact"],
    }
    result = run(parse_recipe(data, base_dir=tmp_path), workers=2)
    assert [c["records"] for c in result.collected] == [1, 1, 1]  # s1 only: rated 5, human
    assert all(c["rows"] == 8 for c in result.collected)
    kept = records(tmp_path / "out/train.jsonl")
    # the same conversation from three sources: exact dedup keeps the first
    assert len(kept) == 1 and kept[0]["id"] == "file-s1"
    assert result.rejected == 2 and set(result.steps[-1]["rejected"]) == {"duplicate"}
    manifest = (tmp_path / "out/manifest.json").read_text()
    assert PASSWORD not in manifest and PASSWORD not in (tmp_path / "out/rejects.jsonl").read_text()
