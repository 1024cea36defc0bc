"""Conversations from production interaction logs (JSONL or CSV; SQL rows go the same way).

A log row is one of three shapes, told by the field mapping of :class:`LogSpec`:

- a **turn**: who sent it (``sender``) and what (``text``), with a ``session`` id; the turns of a
  session, ordered by ``timestamp`` (then by line), make one conversation;
- an **exchange**: a ``prompt`` and its ``response`` (and optionally a ``session``: the exchanges
  of a session then make one multi-turn conversation);
- a **conversation**: a ``messages`` list of ``{sender, text}`` objects.

Senders are mapped to roles (customer -> user, agent -> assistant, ...; ``roles`` adds or
overrides). Filters: a date window and a watermark on the row's time; the minimum rating, the
resolution status, the agent types, the error flag and the longest user and assistant turn on the
whole conversation (a session's rating and status are its last non-empty ones; every agent type
and no error flag of any of its rows). A system prompt can be put first.

Accounting: every row read ends up in a conversation, in the rejects with the reason (one line
per row, with the conversation's reason when the whole conversation was turned down), or, for
rows at or before the watermark of an incremental collection, counted as collected before.
Grouping by session sorts the rows with :class:`~ftprep.collect.spill.SpillSorter`: memory holds
``buffer_rows`` rows and the session being built, not the log.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from ftprep.collect.accounting import CollectStats, jsonable, reject_line
from ftprep.collect.spec import DEFAULT_ROLES, RowSpec
from ftprep.collect.spill import SpillSorter
from ftprep.collect.timestamps import iso, to_epoch
from ftprep.gcpause import fewer_collections
from ftprep.io import RawRow

_FALSE = frozenset({"", "false", "no", "n", "0", "none", "null", "ok", "success"})
_UP = frozenset({"up", "thumbs_up", "thumbsup", "positive", "good", "like", "+1"})
_DOWN = frozenset({"down", "thumbs_down", "thumbsdown", "negative", "bad", "dislike", "-1"})


class _Problem(Exception):
    def __init__(self, code: str, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.code, self.detail, self.field = code, detail, field


# A parsed row: (session key, time, line, turns, attributes); the first three order it.
# attributes: (rating, status, agent type, error, system, kept fields, row id)
Entry = tuple[str, float, int, list[tuple[str, str]], tuple[Any, ...]]
_NO_ATTRIBUTES: tuple[Any, ...] = (None, None, None, False, None, None, None)


class LogCollector:
    """Turns the rows of one log into conversation records and row rejects (see the module)."""

    def __init__(
        self,
        spec: RowSpec,
        name: str,
        watermark: float | None = None,
        *,
        presorted: bool = False,
        kind: str = "logs",
    ) -> None:
        """``presorted``: the rows come ordered by session (and time), as a database sorts them:
        sessions are built as they end, with no sort of their own. ``kind`` names the source
        in ``metadata.source`` and the rejects' step (``collect.<kind>``)."""
        self.spec = spec
        self.name = name
        self.watermark = watermark
        self.roles = {**DEFAULT_ROLES, **{k.lower(): v for k, v in spec.roles.items()}}
        self.since = to_epoch(spec.since) if spec.since is not None else None
        self.until = to_epoch(spec.until) if spec.until is not None else None
        self.statuses = {s.lower() for s in spec.statuses} if spec.statuses else None
        self.agent_types = {a.lower() for a in spec.agent_types} if spec.agent_types else None
        self.stats = CollectStats(name)
        self.presorted = presorted
        self.kind = kind
        self.step = f"collect.{kind}"
        self._newest: float | None = None
        self._senders: dict[str, str] = {}  # senders as written -> role
        self._shape = spec.shape
        self._has_attributes = any(
            (spec.rating, spec.status, spec.agent_type, spec.error, spec.system, spec.keep, spec.id)
        )

    # reading rows ---------------------------------------------------------------------------

    def collect(
        self, rows: Iterable[RawRow], out: BinaryIO, rejects: BinaryIO, tmp: Path | None = None
    ) -> CollectStats:
        """Read ``rows``; write one line per conversation to ``out`` (``{"record", "file",
        "line"}``, the line of its first row) and one per rejected row to ``rejects``."""
        started = time.perf_counter()
        self._out, self._rejects = out, rejects
        broken: dict[str, str] = {}
        conversation = self._conversation
        with fewer_collections():  # rows hold no reference cycles
            entries = self._entries(rows, broken)
            if self.spec.session is None:  # a row that stands alone is a conversation
                for entry in entries:
                    conversation([entry], None)
            elif self.presorted:
                for session in _sessions(entries):
                    conversation(session, broken.get(session[0][0]))
            else:
                sorter = SpillSorter(self.spec.buffer_rows, tmp)
                try:
                    add = sorter.add
                    for entry in entries:
                        add(entry)
                    self.stats.spilled_runs = sorter.spilled
                    for session in _sessions(sorter.sorted()):
                        conversation(session, broken.get(session[0][0]))
                finally:
                    sorter.close()
        stats = self.stats
        stats.newest = self._newest
        stats.seconds = time.perf_counter() - started
        stats.check()
        return stats

    def _entries(self, rows: Iterable[RawRow], broken: dict[str, str]) -> Iterator[Entry]:
        """The parsed rows; the others are rejected or counted as collected before."""
        stats, entry_of = self.stats, self._entry
        for row in rows:
            stats.rows += 1
            entry = entry_of(row, broken)
            if entry is not None:
                yield entry

    def _entry(self, row: RawRow, broken: dict[str, str]) -> Entry | None:
        """The row parsed, or None when it was rejected or collected before (counted)."""
        if row.error is not None:
            code = "invalid_utf8" if "UTF-8" in row.error else "invalid_json"
            self._reject_raw(row.line, code, row.error, None, row.raw)
            return None
        value = row.value
        session = ""
        spec = self.spec
        try:
            if type(value) is not dict:
                raise _Problem("not_an_object", f"expected an object, got {type(value).__name__}")
            if spec.session is not None:
                raw_session = value.get(spec.session)
                if raw_session is None or raw_session == "":
                    raise _Problem("no_session", "no session id", spec.session)
                session = raw_session if type(raw_session) is str else str(raw_session)
            ts = 0.0
            if spec.timestamp is not None:
                raw_ts = value.get(spec.timestamp)
                if type(raw_ts) is float and 0 < raw_ts < 1e11:  # epoch seconds: most logs
                    ts = raw_ts
                else:
                    try:
                        ts = to_epoch(raw_ts)
                    except ValueError as exc:
                        raise _Problem("bad_timestamp", str(exc), spec.timestamp) from None
                if self._newest is None or ts > self._newest:
                    self._newest = ts
                if self.watermark is not None and ts <= self.watermark:
                    self.stats.collected_before += 1
                    return None
                if (self.since is not None and ts < self.since) or (
                    self.until is not None and ts >= self.until
                ):
                    raise _Problem("outside_window", f"{iso(ts)} is outside the date window")
            turns = self._turns(value)
            attributes = self._attributes(value) if self._has_attributes else _NO_ATTRIBUTES
        except _Problem as problem:
            if session and problem.code != "outside_window":
                broken.setdefault(session, f"line {row.line}: {problem.detail}")
            self._reject_raw(row.line, problem.code, problem.detail, problem.field, value)
            return None
        return (session, ts, row.line, turns, attributes)

    def _attributes(self, value: dict[str, Any]) -> tuple[Any, ...]:
        spec, get = self.spec, value.get
        rating = get(spec.rating) if spec.rating else None  # most rows: None, no call
        status = get(spec.status) if spec.status else None
        agent = get(spec.agent_type) if spec.agent_type else None
        error = get(spec.error) if spec.error else None
        system = get(spec.system) if spec.system else None
        row_id = get(spec.id) if spec.id else None
        kept = {k: value[k] for k in spec.keep if get(k) not in (None, "")} if spec.keep else None
        return (
            None if rating is None else _rating(rating),
            None if status is None else _lower(status),
            None if agent is None else _lower(agent),
            False if error is None else _flag(error),
            None if system is None else _text_or_none(system),
            kept or None,
            None if row_id is None else _text_or_none(row_id),
        )

    def _turns(self, value: dict[str, Any]) -> list[tuple[str, str]]:
        spec = self.spec
        if self._shape == "turn":  # the fast path of most rows: a sender seen before
            sender, text = value.get(spec.sender), value.get(spec.text)
            role = self._senders.get(sender) if type(sender) is str else None
            if role is not None and type(text) is str:
                return [(role, text)]
            return [self._turn(value, "")]
        if spec.prompt is not None and spec.response is not None:
            prompt, response = value.get(spec.prompt), value.get(spec.response)
            if not isinstance(prompt, str) or not prompt.strip():
                raise _Problem("no_prompt", "no prompt text", spec.prompt)
            if not isinstance(response, str) or not response.strip():
                raise _Problem("no_response", "no response text", spec.response)
            return [("user", prompt), ("assistant", response)]
        if spec.messages is not None:
            messages = value.get(spec.messages)
            if isinstance(messages, str):  # CSV cells and text columns hold JSON
                try:
                    messages = orjson.loads(messages)
                except orjson.JSONDecodeError:
                    raise _Problem("bad_messages", "not a JSON list", spec.messages) from None
            if not isinstance(messages, list) or not messages:
                raise _Problem("bad_messages", "not a list of messages", spec.messages)
            turns = []
            for k, message in enumerate(messages):
                if not isinstance(message, dict):
                    raise _Problem("bad_messages", f"message {k} is not an object", spec.messages)
                turns.append(self._turn(message, f"{spec.messages}[{k}]."))
            return turns
        return [self._turn(value, "")]

    def _turn(self, value: dict[str, Any], where: str) -> tuple[str, str]:
        spec = self.spec
        sender = value.get(spec.sender)
        role = self._senders.get(sender) if type(sender) is str else None
        if role is None and sender is not None:
            role = self.roles.get(str(sender).strip().lower())
            if role is not None and type(sender) is str:
                self._senders[sender] = role
        if role is None:
            known = ", ".join(sorted(self.roles))
            raise _Problem(
                "unknown_sender",
                f"sender {sender!r} has no role (map it with roles; known: {known})",
                where + spec.sender,
            )
        text = value.get(spec.text)
        if not isinstance(text, str):
            got = "missing" if text is None else f"{type(text).__name__}, not a string"
            raise _Problem("no_text", got, where + spec.text)
        return role, text

    # building conversations -----------------------------------------------------------------

    def _conversation(self, rows: list[Entry], broken: str | None) -> None:
        if broken is not None:
            self._reject_rows(rows, "broken_session", f"a row of the session is bad ({broken})")
            return
        # the turns, each with the rows it came from
        turns: list[tuple[str, str, list[int]]] = []
        merge = self.spec.merge_consecutive
        for k, entry in enumerate(rows):
            for role, text in entry[3]:
                if merge and turns and turns[-1][0] == role:
                    last = turns[-1]
                    turns[-1] = (role, f"{last[1]}\n\n{text}", [*last[2], k])
                else:
                    turns.append((role, text, [k]))
        last_reply = len(turns) - 1
        while last_reply >= 0 and turns[last_reply][0] != "assistant":
            last_reply -= 1
        if last_reply < 0:
            self._reject_rows(rows, "no_reply", "no assistant turn")
            return
        if not any(t[0] == "user" for t in turns[:last_reply]):
            self._reject_rows(rows, "no_user_turn", "no user turn before the reply")
            return
        unanswered: set[int] = set()
        if last_reply < len(turns) - 1:
            unanswered = {k for t in turns[last_reply + 1 :] for k in t[2]}
            unanswered -= set(turns[last_reply][2])
            turns = turns[: last_reply + 1]
        session = _Session(rows) if self._has_attributes else _PLAIN
        problem = self._filters(session, turns)  # a rating often comes with the last "thanks"
        if problem is not None:
            self._reject_rows(rows, *problem)
            return
        if unanswered:
            self._reject_rows(
                [rows[k] for k in sorted(unanswered)],
                "unanswered",
                "a last turn no assistant turn answers",
            )
        self._write(rows, session, turns, len(rows) - len(unanswered))

    def _filters(
        self, session: _Session, turns: list[tuple[str, str, list[int]]]
    ) -> tuple[str, str] | None:
        spec = self.spec
        if spec.min_rating is not None:
            if session.rating is None:
                return "unrated", "no rating, and min_rating is set"
            if session.rating < spec.min_rating:
                return "low_rating", f"rating {session.rating:g} < {spec.min_rating:g}"
        if self.statuses is not None and session.status not in self.statuses:
            return "status", f"status {session.status!r} is not one of {sorted(self.statuses)}"
        if self.agent_types is not None and not session.agents <= self.agent_types:
            other = sorted(session.agents - self.agent_types)[0]
            return "agent_type", f"agent type {other!r} is not one of {sorted(self.agent_types)}"
        if spec.drop_errors and session.error:
            return "error", "a row is flagged as an error"
        limits = {"user": spec.max_input_chars, "assistant": spec.max_output_chars}
        if limits["user"] is not None or limits["assistant"] is not None:
            for role, text, _ in turns:
                limit = limits.get(role)
                if limit is not None and len(text) > limit:
                    side = "input" if role == "user" else "output"
                    detail = f"a {role} turn of {len(text):,} characters > {limit:,}"
                    return f"{side}_too_long", detail
        return None

    def _write(
        self, rows: list[Entry], session: _Session, turns: list[tuple[str, str, list[int]]], n: int
    ) -> None:
        """One conversation of ``n`` of ``rows`` (the others were unanswered turns; the
        session's attributes come from all of them)."""
        spec = self.spec
        system = spec.system_prompt or session.system
        messages = [{"role": "system", "content": system}] if system else []
        messages += [{"role": role, "content": text} for role, text, _ in turns]
        first, last = rows[0], rows[-1]
        meta: dict[str, Any] = {"source": self.kind}
        if spec.session is not None:
            meta["session_id"] = first[0]
        if spec.timestamp is not None:
            meta["started_at"] = iso(first[1])
            meta["ended_at"] = iso(last[1])
        if session.rating is not None:
            meta["rating"] = session.rating
        if session.status is not None:
            meta["status"] = session.status
        if session.agents:
            meta["agent_types"] = sorted(session.agents)
        if session.kept:
            meta.update(session.kept)
        meta["rows"] = n
        record: dict[str, Any] = {"messages": messages, "metadata": meta}
        record_id = session.row_id if spec.session is None else first[0]
        if record_id is not None:
            record = {"id": record_id, **record}
        line = {"record": record, "file": self.name, "line": first[2]}
        self._out.write(orjson.dumps(line, default=jsonable) + b"\n")
        self.stats.records += 1
        self.stats.rows_in_records += n

    # rejects --------------------------------------------------------------------------------

    def _reject_rows(self, rows: list[Entry], code: str, detail: str) -> None:
        for session, ts, line, turns, a in rows:
            row = {
                "session": session or None,
                "timestamp": iso(ts) if self.spec.timestamp is not None else None,
                "turns": [{"role": r, "content": t} for r, t in turns],
                "rating": a[0],
                "status": a[1],
                "agent_type": a[2],
                "error": a[3],
            }
            self._reject_raw(line, code, detail, None, row)

    def _reject_raw(
        self, line: int, code: str, detail: str, field: str | None, record: Any
    ) -> None:
        self.stats.rejected[code] += 1
        self._rejects.write(reject_line(self.step, code, field, detail, self.name, line, record))


class _Session:
    """What a conversation's rows say about it: the last rating, status, system prompt and id,
    every agent type, any error flag, and the kept fields (the last non-empty of each)."""

    __slots__ = ("agents", "error", "kept", "rating", "row_id", "status", "system")

    def __init__(self, rows: list[Entry]) -> None:
        self.rating: float | None = None
        self.status: str | None = None
        self.agents: set[str] = set()
        self.error = False
        self.system: str | None = None
        self.kept: dict[str, Any] = {}
        self.row_id: str | None = None
        for *_, a in rows:
            if a is _NO_ATTRIBUTES:
                continue
            rating, status, agent, error, system, kept, row_id = a
            if rating is not None:
                self.rating = rating
            if status is not None:
                self.status = status
            if agent is not None:
                self.agents.add(agent)
            self.error = self.error or error
            if system is not None:
                self.system = system
            if kept:
                self.kept.update(kept)
            if row_id is not None:
                self.row_id = row_id


_PLAIN = _Session([])


def _sessions(entries: Iterator[Entry]) -> Iterator[list[Entry]]:
    """Runs of entries with the same session key (the entries come sorted)."""
    current: list[Entry] = []
    key = None
    for entry in entries:
        if entry[0] != key and current:
            yield current
            current = []
        key = entry[0]
        current.append(entry)
    if current:
        yield current


def _rating(value: Any) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip().lower()
    if text in _UP:
        return 1.0
    if text in _DOWN:
        return 0.0
    try:
        return float(text)
    except ValueError:
        return None


def _lower(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip().lower()
    return text or None


def _flag(value: Any) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, (int, float)):
        return value != 0
    return str(value).strip().lower() not in _FALSE  # "true", "yes", or an error message


def _text_or_none(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)
