"""``collect.logs``: log rows into conversations, filters, grouping, rejects and watermarks."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner

from ftprep.cli import cli
from ftprep.collect import LogCollector, LogSpec, to_epoch
from ftprep.collect.spill import SpillSorter
from ftprep.engine import parse_recipe, run
from ftprep.io import iter_rows

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"

TURNS = [  # two sessions, interleaved and out of order, as a real log has them
    {"sid": "s1", "ts": "2024-05-01T10:00:00Z", "who": "customer", "msg": "My order has not come."},
    {"sid": "s2", "ts": "2024-05-01T10:00:05Z", "who": "customer", "msg": "Hi"},
    {"sid": "s1", "ts": "2024-05-01T10:01:00Z", "who": "agent", "msg": "It ships tomorrow.",
     "agent": "human"},
    {"sid": "s1", "ts": "2024-05-01T10:00:30Z", "who": "customer", "msg": "It was due Monday."},
    {"sid": "s2", "ts": 1714557609, "who": "bot", "msg": "Hello! How can I help?", "agent": "bot"},
    {"sid": "s1", "ts": "2024-05-01T10:02:00Z", "who": "customer", "msg": "thanks", "stars": 5,
     "state": "Resolved"},
]  # fmt: skip


def collect(rows: list[Any], **spec: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The records and rejects of collecting ``rows`` (JSON values, or raw lines as bytes)."""
    data = b"".join((r if isinstance(r, bytes) else orjson.dumps(r)) + b"\n" for r in rows)
    path = Path(spec.pop("tmp")) / "log.jsonl"
    path.write_bytes(data)
    collector = LogCollector(LogSpec(path=str(path), **spec), "log.jsonl")
    out, rejects = io.BytesIO(), io.BytesIO()
    stats = collector.collect(iter_rows(path), out, rejects)
    records = [orjson.loads(x) for x in out.getvalue().splitlines()]
    rejected = [orjson.loads(x) for x in rejects.getvalue().splitlines()]
    assert stats.rows == len(rows)  # collect() checked rows = in records + rejected + before
    return records, rejected


TURN_SPEC = {"session": "sid", "timestamp": "ts", "sender": "who", "text": "msg"}


def test_turn_rows_become_ordered_conversations_per_session(tmp_path: Path) -> None:
    spec = {**TURN_SPEC, "rating": "stars", "status": "state", "agent_type": "agent"}
    records, rejected = collect(TURNS, tmp=tmp_path, system_prompt="You are Acme support.", **spec)
    by_id = {r["record"]["id"]: r for r in records}
    s1 = by_id["s1"]["record"]
    assert s1["messages"] == [
        {"role": "system", "content": "You are Acme support."},
        {"role": "user", "content": "My order has not come.\n\nIt was due Monday."},  # merged
        {"role": "assistant", "content": "It ships tomorrow."},
    ]
    assert s1["metadata"] == {
        "source": "logs", "session_id": "s1", "started_at": "2024-05-01T10:00:00Z",
        "ended_at": "2024-05-01T10:02:00Z", "rating": 5.0, "status": "resolved",
        "agent_types": ["human"], "rows": 3,
    }  # fmt: skip
    assert (by_id["s1"]["file"], by_id["s1"]["line"]) == ("log.jsonl", 1)
    assert by_id["s2"]["record"]["messages"][-1]["content"] == "Hello! How can I help?"
    # the trailing "thanks" is no training turn: its row is rejected, its rating still counts
    assert [(r["code"], r["line"]) for r in rejected] == [("unanswered", 6)]


def test_filters_turn_down_whole_conversations_with_every_row_rejected(tmp_path: Path) -> None:
    spec = {**TURN_SPEC, "rating": "stars", "status": "state", "agent_type": "agent"}
    records, rejected = collect(TURNS, tmp=tmp_path, min_rating=4, agent_types=["human"], **spec)
    assert [r["record"]["id"] for r in records] == ["s1"]
    assert sorted((r["code"], r["line"]) for r in rejected) == [
        ("unanswered", 6), ("unrated", 2), ("unrated", 5),
    ]  # fmt: skip
    _, rejected = collect(TURNS, tmp=tmp_path, statuses=["escalated"], **spec)
    assert {r["code"] for r in rejected} == {"status"} and len(rejected) == 6
    _, rejected = collect(TURNS, tmp=tmp_path, agent_types=["bot"], **spec)
    assert {(r["code"], r["detail"]) for r in rejected if r["line"] == 1} == {
        ("agent_type", "agent type 'human' is not one of ['bot']")
    }
    _, rejected = collect(TURNS, tmp=tmp_path, max_input_chars=10, **TURN_SPEC)
    assert {r["code"] for r in rejected if r["line"] in (1, 3, 4)} == {"input_too_long"}
    _, rejected = collect(TURNS, tmp=tmp_path, max_output_chars=10, **TURN_SPEC)
    assert {r["code"] for r in rejected} == {"output_too_long"} and len(rejected) == 6
    records, rejected = collect(
        TURNS, tmp=tmp_path, since=dt.date(2024, 5, 1), until="2024-05-01T10:00:40Z", **TURN_SPEC
    )
    assert [r["code"] for r in rejected if r["code"] == "outside_window"] == ["outside_window"] * 2
    assert [r["record"]["id"] for r in records] == ["s2"]  # s1 lost its reply to the window


def test_errors_and_malformed_rows_reject_their_session(tmp_path: Path) -> None:
    rows: list[Any] = [
        {"sid": "a", "ts": 1, "who": "user", "msg": "Q"},
        {"sid": "a", "ts": 2, "who": "assistant", "msg": "Internal error", "failed": "timeout"},
        {"sid": "b", "ts": 3, "who": "user", "msg": "Q"},
        {"sid": "b", "ts": 4, "who": "wizard", "msg": "?"},
        {"sid": "b", "ts": 5, "who": "assistant", "msg": "A"},
        {"sid": "c", "ts": "yesterday", "who": "user", "msg": "Q"},
        {"ts": 6, "who": "user", "msg": "no session"},
        b'{"sid": "d", "ts": 7, "who": "user", "msg": "cut sh',
        ["not", "an", "object"],
        {"sid": "e", "ts": 8, "who": "user", "msg": None},
    ]
    records, rejected = collect(rows, tmp=tmp_path, error="failed", **TURN_SPEC)
    assert records == []
    codes = {r["line"]: r["code"] for r in rejected}
    assert codes == {
        1: "error", 2: "error", 3: "broken_session", 4: "unknown_sender", 5: "broken_session",
        6: "bad_timestamp", 7: "no_session", 8: "invalid_json", 9: "not_an_object", 10: "no_text",
    }  # fmt: skip
    sender = next(r for r in rejected if r["line"] == 4)
    assert "'wizard' has no role" in sender["detail"] and sender["file"] == "log.jsonl"
    broken = next(r for r in rejected if r["line"] == 3)
    assert "line 4" in broken["detail"]
    # a sender mapped by the recipe is fine; errors can be kept
    records, _ = collect(rows[:5], tmp=tmp_path, roles={"wizard": "assistant"}, **TURN_SPEC)
    assert [r["record"]["id"] for r in records] == ["a", "b"]
    assert records[1]["record"]["messages"][1]["content"] == "?\n\nA"


def test_exchange_and_conversation_rows(tmp_path: Path) -> None:
    rows = [
        {"q": "What is 2+2?", "a": "4", "id": 17, "model": "v1", "thumbs": "up"},
        {"q": "Capital of France?", "a": "Paris.", "id": 18, "thumbs": "down"},
        {"q": "", "a": "orphan"},
    ]
    records, rejected = collect(
        rows, tmp=tmp_path, prompt="q", response="a", id="id", rating="thumbs", keep=["model"],
        min_rating=1,
    )  # fmt: skip
    assert [r["record"]["id"] for r in records] == ["17"]
    assert records[0]["record"]["metadata"] == {
        "source": "logs", "rating": 1.0, "model": "v1", "rows": 1,
    }  # fmt: skip
    assert [(r["line"], r["code"]) for r in rejected] == [(2, "low_rating"), (3, "no_prompt")]
    # exchanges of one session make one multi-turn conversation, in time order
    rows = [
        {"s": "x", "t": 2, "q": "and 3+3?", "a": "6"},
        {"s": "x", "t": 1, "q": "2+2?", "a": "4"},
    ]
    records, _ = collect(rows, tmp=tmp_path, prompt="q", response="a", session="s", timestamp="t")
    assert [m["content"] for m in records[0]["record"]["messages"]] == [
        "2+2?",
        "4",
        "and 3+3?",
        "6",
    ]
    # a list of messages, or that list as a JSON string (as CSV and SQL text columns hold it)
    convo = [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hello"}]
    rows = [{"c": convo}, {"c": json.dumps(convo)}, {"c": "[oops"}]
    records, rejected = collect(rows, tmp=tmp_path, messages="c", sender="from", text="value")
    assert len(records) == 2 and records[0]["record"] == records[1]["record"] | {}
    assert [(r["code"], r["value"]) for r in rejected] == [("bad_messages", "c")]


def test_the_spec_says_what_is_wrong() -> None:
    with pytest.raises(ValueError, match="need `session`"):
        LogSpec(path="x")
    with pytest.raises(ValueError, match="prompt and response go together"):
        LogSpec(path="x", prompt="q")
    with pytest.raises(ValueError, match="need the `timestamp` field"):
        LogSpec(path="x", prompt="q", response="a", since="2024-01-01")
    with pytest.raises(ValueError, match="unknown role 'robot'"):
        LogSpec(path="x", session="s", roles={"bot": "robot"})


def test_timestamps_in_every_usual_shape() -> None:
    base = 1714557600.0  # 2024-05-01T10:00:00Z
    for value in (
        "2024-05-01T10:00:00Z", "2024-05-01 12:00:00+02:00", "2024-05-01T10:00:00",
        base, int(base), str(int(base)), base * 1000, base * 1_000_000,
        dt.datetime(2024, 5, 1, 10, tzinfo=dt.UTC),
    ):  # fmt: skip
        assert to_epoch(value) == pytest.approx(base), value
    assert to_epoch(dt.date(2024, 5, 1)) == base - 36000
    for bad in ("yesterday", None, True, float("nan"), [1]):
        with pytest.raises(ValueError):
            to_epoch(bad)


def test_spilled_runs_merge_to_the_same_order() -> None:
    import random

    rows = [(f"s{random.randrange(50)}", random.random(), i, "x") for i in range(1000)]
    sorter = SpillSorter(buffer=64)
    for row in rows:
        sorter.add(row)
    assert sorter.spilled == 1000 // 64
    assert list(sorter.sorted()) == sorted(rows)


def test_grouping_through_disk_gives_the_same_conversations(tmp_path: Path) -> None:
    rows = [
        {"sid": f"s{i % 400}", "ts": i, "who": "agent" if i // 400 % 2 else "user", "msg": f"m{i}"}
        for i in range(3000)
    ]
    small, rejected_small = collect(rows, tmp=tmp_path, buffer_rows=1000, **TURN_SPEC)
    whole, rejected_whole = collect(rows, tmp=tmp_path, **TURN_SPEC)
    assert small == whole and rejected_small == rejected_whole and len(whole) > 300


def write_log(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))


def test_a_recipe_collects_with_steps_and_moves_the_watermark(tmp_path: Path) -> None:
    log = tmp_path / "chat.jsonl"
    write_log(log, TURNS)
    plain = tmp_path / "extra.jsonl"
    plain.write_text(
        '{"messages": [{"role": "user", "content": "Q"}, {"role": "assistant", "content": "A"}]}\n'
    )
    data = {
        "version": 1,
        "inputs": [
            {"logs": {"path": "chat.jsonl", **TURN_SPEC, "watermark": "state/mark.json"}},
            "extra.jsonl",
        ],
        "outputs": ["data.jsonl"],
        "steps": [{"filter.length": {"min": 1, "max": 20, "roles": ["user"]}}],
    }
    recipe = parse_recipe(data, base_dir=tmp_path)
    result = run(recipe, workers=1)
    assert (result.read, result.written, result.rejected) == (3, 2, 1)
    (collected,) = result.collected
    assert (collected["rows"], collected["records"], collected["rejected"]) == (6, 2, 1)
    rejects = [orjson.loads(x) for x in (tmp_path / "out/rejects.jsonl").read_bytes().splitlines()]
    assert [(r["step"], r["code"], r["file"], r["line"]) for r in rejects] == [
        ("collect.logs", "unanswered", str(log), 6),
        ("filter.length", "too_long", str(log), 1),  # the record keeps its log line
    ]
    manifest = orjson.loads((tmp_path / "out/manifest.json").read_bytes())
    assert manifest["inputs"][0]["path"] == str(log) and manifest["collect"][0]["rows"] == 6
    mark = orjson.loads((tmp_path / "state/mark.json").read_bytes())
    assert mark["newest"] == "2024-05-01T10:02:00Z"
    # new rows arrive: the next run collects only them
    write_log(log, [*TURNS, {"sid": "s9", "ts": "2024-05-02T08:00:00Z", "who": "user", "msg": "Q"},
                    {"sid": "s9", "ts": "2024-05-02T08:00:09Z", "who": "agent", "msg": "A"}])  # fmt: skip
    again = run(parse_recipe(data, base_dir=tmp_path), workers=1)
    (collected,) = again.collected
    assert (collected["collected_before"], collected["records"]) == (6, 1)
    kept = [orjson.loads(x) for x in (tmp_path / "out/data.jsonl").read_bytes().splitlines()]
    assert [r.get("id") for r in kept] == ["s9", None]


def test_ftprep_collect_logs_from_csv(tmp_path: Path) -> None:
    log = tmp_path / "export.csv"
    log.write_text(
        "conversation,created,author,body,csat\n"
        "c1,2024-05-01 10:00:00,Client,Where is my parcel?,\n"
        'c1,2024-05-01 10:03:00,Rep,"It arrives today, by 6pm.",4\n'
        "c2,2024-05-01 11:00:00,Client,Cancel my plan,\n"
        "c2,2024-05-01 11:01:00,Rep,Done.,2\n"
    )
    out = tmp_path / "convos.jsonl"
    args = [
        "collect", "logs", str(log), str(out), "--session-field", "conversation",
        "--timestamp-field", "created", "--sender-field", "author", "--text-field", "body",
        "--rating-field", "csat", "--role", "rep=assistant", "--min-rating", "3", "--no-progress",
    ]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "4 rows = 2 in 1 conversations + 2 rejected (low_rating 2)" in result.output
    (record,) = [orjson.loads(x) for x in out.read_bytes().splitlines()]
    assert record["messages"][1] == {"role": "assistant", "content": "It arrives today, by 6pm."}
    bad = CliRunner().invoke(cli, [*args[:4], "--role", "rep", "--session-field", "x"])
    assert bad.exit_code == 2 and "is not SENDER=ROLE" in bad.output


@pytest.mark.skipif(not (SHARED / "fastchat").exists(), reason="needs ../shared/data")
def test_sharegpt_export_as_a_conversation_log(tmp_path: Path) -> None:
    """FastChat's dummy conversations read as a log of whole conversations (human/gpt senders
    are known roles): every row becomes a conversation or a reject."""
    src = SHARED / "fastchat" / "dummy_conversation.json"
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(
        cli,
        [
            "collect", "logs", str(src), str(out), "--messages-field", "conversations",
            "--sender-field", "from", "--text-field", "value", "--id-field", "id", "--no-progress",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    stats = orjson.loads((tmp_path / "out.stats.json").read_bytes())["collect"][0]
    assert stats["rows"] == 500 and stats["rows"] == stats["rows_in_records"] + stats["rejected"]
    first = orjson.loads(out.read_bytes().splitlines()[0])
    assert first["id"] == "identity_0" and first["messages"][0]["role"] == "user"
