"""The messy demo dataset: determinism, planted defects where recorded, clean lines clean."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from ftprep.demo import DEFECT_CODES, PlantedDefect, generate_messy_chats, iter_clean_chats
from ftprep.demo.pools import CATEGORIES
from ftprep.record import Record

ROOT = Path(__file__).resolve().parents[2]
INVALID = object()
MESSAGE_KEYS = {"role", "content", "tool_calls", "tool_call_id", "name", "weight"}


def _cp1252_table() -> dict[str, int]:
    """Character -> byte of Windows-1252, with the five undefined bytes kept as themselves."""
    table = {}
    for b in range(256):
        try:
            table[bytes([b]).decode("cp1252")] = b
        except UnicodeDecodeError:
            table[chr(b)] = b
    return table


CP1252 = _cp1252_table()


# ---- small hand-written predicates, one per defect code -------------------------------------


def parse(line: bytes) -> Any:
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        return INVALID


def msgs(obj: Any) -> list[dict[str, Any]]:
    if isinstance(obj, dict) and isinstance(obj.get("messages"), list):
        return [m for m in obj["messages"] if isinstance(m, dict)]
    return []


def roles(obj: Any) -> list[Any]:
    return [m.get("role") for m in msgs(obj)]


def texts(obj: Any, *only: str) -> list[str]:
    return [
        m["content"]
        for m in msgs(obj)
        if isinstance(m.get("content"), str) and (not only or m.get("role") in only)
    ]


def calls(obj: Any) -> list[dict[str, Any]]:
    return [c for m in msgs(obj) for c in m.get("tool_calls") or ()]


def is_mojibake(text: str) -> bool:
    """UTF-8 bytes read as Windows-1252: mapping back to bytes gives different, valid UTF-8."""
    if text.isascii() or any(ch not in CP1252 for ch in text):
        return False
    try:
        return bytes(CP1252[ch] for ch in text).decode("utf-8") != text
    except UnicodeDecodeError:
        return False


def args_invalid(call: dict[str, Any]) -> bool:
    try:
        return not isinstance(orjson.loads(call["function"]["arguments"]), dict)
    except orjson.JSONDecodeError:
        return True


def tool_names(obj: Any) -> set[str]:
    return (
        {t["function"]["name"] for t in obj.get("tools") or ()} if isinstance(obj, dict) else set()
    )


ERROR_REPLY = re.compile(
    r"\s*(?:Traceback \(most recent call last\):|\{\"error\":|<html>|[45]\d\d [A-Z]"
    r"|(?:Sorry, |Oops! )?[Ss]omething went wrong|An? (?:internal )?error occurred"
    r"|The server is currently overloaded)"
)
RUN_ON = re.compile(r"^(?:User|Human|### Instruction):|<\|im_start\|>", re.MULTILINE)
UNSEEN = re.compile(
    r"\b(?:attached|screenshot|photo|image|picture)\b|https?://\S+\.(?:png|jpe?g|gif)", re.I
)


def cut_off(obj: Any) -> bool:
    """The last message is a reply that stops mid-sentence or inside an open code block."""
    last = msgs(obj)[-1:]
    if (
        not last
        or last[0].get("role") != "assistant"
        or not isinstance(last[0].get("content"), str)
    ):
        return False
    text = last[0]["content"].rstrip()
    if text.count("```") % 2:
        return True
    sentence = re.split(r"[.!?]\s|\n", text)[-1]
    ends_on_word = text[-1:].isalpha() or text.endswith(",")
    return ends_on_word and len(sentence.split()) >= 4 and re.search(r"[.!?]\s", text) is not None


def loops(text: str) -> bool:
    """A reply that repeats one paragraph (of 50+ characters) four times or more."""
    paragraphs = Counter(p for p in text.split("\n\n") if len(p) >= 50)
    return len(text) <= 25_000 and max(paragraphs.values(), default=0) >= 4


Predicate = Callable[[Any, bytes, set[bytes]], bool]
PREDICATES: dict[str, Predicate] = {
    "invalid_json": lambda o, line, seen: o is INVALID,
    "not_an_object": lambda o, line, seen: o is not INVALID and not isinstance(o, dict),
    "missing_messages": lambda o, line, seen: isinstance(o, dict) and "messages" not in o,
    "unknown_role": lambda o, line, seen: bool({"bot", "human"} & set(roles(o))),
    "missing_content": lambda o, line, seen: any(
        m.get("role") in ("user", "assistant") and "content" not in m and not m.get("tool_calls")
        for m in msgs(o)
    ),
    "empty_content": lambda o, line, seen: any(
        not t.strip() for t in texts(o, "user", "assistant")
    ),
    "no_assistant_message": lambda o, line, seen: roles(o) == ["system", "user"],
    "no_user_message": lambda o, line, seen: roles(o) == ["system", "assistant"],
    "no_system_message": lambda o, line, seen: bool(msgs(o)) and "system" not in roles(o),
    "long_message": lambda o, line, seen: any(len(t) > 25_000 for t in texts(o, "assistant")),
    "template_placeholder": lambda o, line, seen: any(
        re.search(r"\{\{\s*\w+\s*\}\}", t) for t in texts(o, "assistant")
    ),
    "mojibake": lambda o, line, seen: any(is_mojibake(t) for t in texts(o)),
    "ai_hedging": lambda o, line, seen: any("as an ai" in t.lower() for t in texts(o, "assistant")),
    "refusal": lambda o, line, seen: any(
        re.match(r"(I'm sorry, but|Sorry,) I can't (help|assist)", t) for t in texts(o, "assistant")
    ),
    "invalid_weight": lambda o, line, seen: any(m.get("weight", 0) not in (0, 1) for m in msgs(o)),
    "tool_arguments_invalid_json": lambda o, line, seen: any(args_invalid(c) for c in calls(o)),
    "tool_call_unanswered": lambda o, line, seen: bool(
        {c["id"] for c in calls(o)} - {m.get("tool_call_id") for m in msgs(o)}
    ),
    "tool_unknown_function": lambda o, line, seen: any(
        c["function"]["name"] not in tool_names(o) for c in calls(o)
    ),
    "duplicate_tool_call_id": lambda o, line, seen: (
        len(calls(o)) != len({c["id"] for c in calls(o)})
    ),
    "last_not_assistant": lambda o, line, seen: (
        roles(o)[-1:] == ["user"] and "assistant" in roles(o)
    ),
    "consecutive_same_role": lambda o, line, seen: any(
        a == b == "user" for a, b in zip(roles(o), roles(o)[1:], strict=False)
    ),
    "unrecognized_key": lambda o, line, seen: any(set(m) - MESSAGE_KEYS for m in msgs(o)),
    "exact_duplicate": lambda o, line, seen: line in seen,
    "error_reply": lambda o, line, seen: any(ERROR_REPLY.match(t) for t in texts(o, "assistant")),
    "truncated_reply": lambda o, line, seen: cut_off(o),
    "unseen_context": lambda o, line, seen: any(UNSEEN.search(t) for t in texts(o, "user")),
    "repeated_reply": lambda o, line, seen: any(
        RUN_ON.search(t) or loops(t) for t in texts(o, "assistant")
    ),
}


def triggered(line: bytes, seen: set[bytes]) -> set[str]:
    obj = parse(line)
    return {code for code, holds in PREDICATES.items() if holds(obj, line, seen)}


# ---- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[bytes], list[PlantedDefect]]:
    path = tmp_path_factory.mktemp("demo") / "messy.jsonl"
    defects = generate_messy_chats(path, n=400, seed=0)
    data = path.read_bytes()
    assert data.endswith(b"\n")
    return data[:-1].split(b"\n"), defects


# ---- the messy sample ------------------------------------------------------------------------


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "c.jsonl"
    assert generate_messy_chats(a, n=150, seed=7) == generate_messy_chats(b, n=150, seed=7)
    assert a.read_bytes() == b.read_bytes()
    generate_messy_chats(c, n=150, seed=8)
    assert a.read_bytes() != c.read_bytes()


def test_line_count_is_n(sample: tuple[list[bytes], list[PlantedDefect]]) -> None:
    lines, _ = sample
    assert len(lines) == 400


def test_every_code_is_planted_a_handful_of_times(
    sample: tuple[list[bytes], list[PlantedDefect]],
) -> None:
    _, defects = sample
    assert set(PREDICATES) == set(DEFECT_CODES)
    assert Counter(d.code for d in defects) == {code: 3 for code in DEFECT_CODES}
    assert [d.line for d in defects] == sorted(d.line for d in defects)
    assert len({d.line for d in defects}) == len(defects)
    assert all(d.description and 2 <= d.line <= 400 for d in defects)


def test_planted_lines_have_exactly_their_defect(
    sample: tuple[list[bytes], list[PlantedDefect]],
) -> None:
    lines, defects = sample
    for d in defects:
        seen = set(lines[: d.line - 1])
        assert triggered(lines[d.line - 1], seen) == {d.code}, (d, lines[d.line - 1][:300])


def test_clean_lines_have_no_defect(sample: tuple[list[bytes], list[PlantedDefect]]) -> None:
    lines, defects = sample
    planted = {d.line for d in defects}
    for number, line in enumerate(lines, 1):
        if number in planted:
            continue
        assert triggered(line, set(lines[: number - 1])) == set(), (number, line[:300])
        obj = orjson.loads(line)
        assert roles(obj)[0] == "system"
        assert all(len(t) < 3000 for t in texts(obj))
        assert not any("{{" in t or "}}" in t for t in texts(obj, "user", "assistant"))
        assert not any(t.startswith(("I'm sorry", "As an AI")) for t in texts(obj, "assistant"))
        assert len(set(texts(obj, "user"))) == len(texts(obj, "user"))  # no repeated turn
        Record.from_dict(obj)  # the project's own reader accepts it


def test_clean_lines_carry_metadata(sample: tuple[list[bytes], list[PlantedDefect]]) -> None:
    lines, defects = sample
    planted = {d.line for d in defects}
    records = [orjson.loads(line) for n, line in enumerate(lines, 1) if n not in planted]
    for record in records:
        meta = record["metadata"]
        assert meta["category"] in CATEGORIES
        assert meta["rating"] in (1, 2, 3, 4, 5)
        assert datetime.fromisoformat(meta["created_at"]).tzinfo is not None
        assert meta["session_id"].startswith("sess_") and meta["user_id"].startswith("u_")
    assert {r["metadata"]["category"] for r in records} == set(CATEGORIES)
    langs = {r["metadata"]["lang"] for r in records}
    assert len(langs) >= 3 and langs <= {"en", "fr", "de", "zh", "ja"}


def test_sample_looks_like_production_logs(sample: tuple[list[bytes], list[PlantedDefect]]) -> None:
    lines, defects = sample
    planted = {d.line for d in defects}
    records = [orjson.loads(line) for n, line in enumerate(lines, 1) if n not in planted]
    with_calls = [r for r in records if calls(r)]
    assert len(with_calls) >= 10 and all(r.get("tools") for r in with_calls)
    assert all(m["content"] is None for r in with_calls for m in msgs(r) if m.get("tool_calls"))
    assert any(len(r["messages"]) >= 9 for r in records)  # 4+ user turns
    assert any(m.get("weight") == 0 for r in records for m in msgs(r))
    assert sum(r["metadata"]["lang"] != "en" for r in records) >= 3
    assert any("```" in t for r in records for t in texts(r, "assistant"))
    assert any(re.search(r"[\w.]+@example\.(com|org|net)", t) for r in records for t in texts(r))
    assert any(re.search(r"555[- ]01\d\d", t) for r in records for t in texts(r))
    system_prompts = Counter(r["messages"][0]["content"] for r in records)
    assert system_prompts.most_common(1)[0][1] > len(records) // 2
    assert len(set(lines)) == len(lines) - 3  # only the three planted copies repeat


@pytest.mark.parametrize("n", [0, 1, 2, 10, 47])
def test_small_n(tmp_path: Path, n: int) -> None:
    path = tmp_path / "small.jsonl"
    defects = generate_messy_chats(path, n=n, seed=3)
    lines = path.read_bytes().splitlines()
    assert len(lines) == n
    assert len(defects) <= max(0, (n - 1) // 2)
    for d in defects:
        assert d.code in triggered(lines[d.line - 1], set(lines[: d.line - 1]))


def test_negative_n_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="n must be"):
        generate_messy_chats(tmp_path / "x.jsonl", n=-1)


# ---- the fast clean generator ----------------------------------------------------------------


def test_iter_clean_chats_yields_clean_records_of_the_right_size() -> None:
    records = list(iter_clean_chats(3000, seed=1))
    assert len(records) == 3000
    lines = [orjson.dumps(r) for r in records]
    assert 1200 <= sum(map(len, lines)) / len(lines) <= 2500
    for line, record in zip(lines, records, strict=True):
        assert triggered(line, set()) == set(), line[:300]
        assert roles(record)[0] == "system" and 2 <= roles(record).count("user") <= 4
        assert len(set(texts(record, "user"))) == len(texts(record, "user"))
        assert record["metadata"]["category"] in CATEGORIES
        Record.from_dict(record)
    assert len(set(lines)) == len(lines)
    assert {r["metadata"]["category"] for r in records} == set(CATEGORIES)
    assert sum(bool(calls(r)) for r in records) >= 50
    assert sum(r["metadata"]["lang"] != "en" for r in records) >= 20
    assert any(m.get("weight") == 0 for r in records for m in msgs(r))


def test_iter_clean_chats_is_deterministic() -> None:
    assert list(iter_clean_chats(200, seed=5)) == list(iter_clean_chats(200, seed=5))
    assert list(iter_clean_chats(200, seed=5)) != list(iter_clean_chats(200, seed=6))


def test_iter_clean_chats_records_are_fresh_objects() -> None:
    pristine = [orjson.dumps(r) for r in iter_clean_chats(500, seed=0)]
    for record in iter_clean_chats(500, seed=0):  # callers may mutate what they get
        for message in record["messages"]:
            message.clear()
        for tool in record.get("tools", ()):
            tool["function"].clear()
        record["metadata"].clear()
    assert [orjson.dumps(r) for r in iter_clean_chats(500, seed=0)] == pristine


def test_bench_script_writes_jsonl(tmp_path: Path) -> None:
    out = tmp_path / "chat.jsonl"
    script = ROOT / "bench" / "gen_chat.py"
    run = subprocess.run(
        [sys.executable, str(script), str(out), "--n", "500", "--seed", "2"],
        capture_output=True,
        text=True,
        check=True,
    )
    lines = out.read_bytes().splitlines()
    assert len(lines) == 500
    assert [orjson.loads(line) for line in lines] == list(iter_clean_chats(500, seed=2))
    assert "500" in run.stdout and str(out.stat().st_size) in run.stdout
