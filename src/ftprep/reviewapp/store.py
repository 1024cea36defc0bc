"""The review app's SQLite store: one project (a dataset, a rubric, annotators), its users,
assignments, answers, revisions and adjudications.

Every write is one short transaction (``BEGIN IMMEDIATE``), so two annotators saving at once
never interleave; an answer carries a version, and a save made from a stale page (the same
annotator in two tabs) is refused instead of silently overwriting the newer answer. Passwords
are stored as scrypt hashes with a per-user salt.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson

from ftprep.errors import FtprepError
from ftprep.record import Record
from ftprep.report.review import review_key

ROLES = ("annotator", "reviewer", "admin")
#: the default rubric: the GREAT checklist's criteria, as the judge uses them
GREAT = ("correctness", "relevance", "completeness", "grammar", "tone", "formatting")
SESSION_SECONDS = 12 * 3600

_SCHEMA = """
CREATE TABLE IF NOT EXISTS project (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, role TEXT NOT NULL,
    salt BLOB NOT NULL, hash BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    token TEXT PRIMARY KEY, user_id INTEGER NOT NULL, csrf TEXT NOT NULL, expires REAL NOT NULL);
CREATE TABLE IF NOT EXISTS items (
    id INTEGER PRIMARY KEY, key TEXT UNIQUE NOT NULL, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS assignments (
    item_id INTEGER NOT NULL, user_id INTEGER NOT NULL, PRIMARY KEY (item_id, user_id));
CREATE TABLE IF NOT EXISTS answers (
    item_id INTEGER NOT NULL, user_id INTEGER NOT NULL, scores TEXT NOT NULL,
    decision TEXT, flag INTEGER NOT NULL DEFAULT 0, notes TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL, updated REAL NOT NULL, PRIMARY KEY (item_id, user_id));
CREATE TABLE IF NOT EXISTS revisions (
    id INTEGER PRIMARY KEY, item_id INTEGER NOT NULL, user_id INTEGER NOT NULL,
    text TEXT NOT NULL, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS adjudications (
    item_id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, decision TEXT NOT NULL,
    notes TEXT NOT NULL DEFAULT '', created REAL NOT NULL);
"""


class StaleAnswer(FtprepError):
    """The answer changed since the page was loaded (another tab saved it)."""


class Store:
    """The project in the SQLite file at ``path`` (created on first use)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        with self._connect() as db:
            db.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA foreign_keys=ON")
        db.row_factory = sqlite3.Row
        return db

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE")
            yield db
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        finally:
            db.close()

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        db = self._connect()
        try:
            yield db
        finally:
            db.close()

    # project -------------------------------------------------------------------------------

    def setting(self, key: str, default: Any = None) -> Any:
        with self._read() as db:
            row = db.execute("SELECT value FROM project WHERE key = ?", (key,)).fetchone()
        return orjson.loads(row[0]) if row else default

    def set_setting(self, key: str, value: Any) -> None:
        with self._write() as db:
            db.execute(
                "INSERT OR REPLACE INTO project VALUES (?, ?)", (key, orjson.dumps(value).decode())
            )

    @property
    def rubric(self) -> list[str]:
        return list(self.setting("rubric", GREAT))

    @property
    def per_item(self) -> int:
        return int(self.setting("per_item", 3))

    def load_items(self, records: Iterable[Record]) -> int:
        """Add ``records`` (an item each, keyed like the review page); returns how many were new."""
        added = 0
        with self._write() as db:
            for record in records:
                cursor = db.execute(
                    "INSERT OR IGNORE INTO items (key, record) VALUES (?, ?)",
                    (review_key(record), orjson.dumps(record.to_dict()).decode()),
                )
                added += cursor.rowcount
        return added

    # users and sessions ----------------------------------------------------------------------

    def add_user(self, name: str, role: str, password: str) -> None:
        if role not in ROLES:
            raise FtprepError(f"unknown role {role!r}: {', '.join(ROLES)}")
        if len(password) < 8:
            raise FtprepError("a password needs at least 8 characters")
        salt = secrets.token_bytes(16)
        with self._write() as db:
            db.execute(
                "INSERT INTO users (name, role, salt, hash) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET role = excluded.role, salt = excluded.salt, "
                "hash = excluded.hash",
                (name, role, salt, _hash(password, salt)),
            )

    def users(self, role: str | None = None) -> list[dict[str, Any]]:
        with self._read() as db:
            rows = db.execute("SELECT id, name, role FROM users ORDER BY id").fetchall()
        return [dict(r) for r in rows if role is None or r["role"] == role]

    def login(self, name: str, password: str) -> tuple[str, str] | None:
        """A new session ``(token, csrf)`` for the right password, else None."""
        with self._read() as db:
            row = db.execute("SELECT id, salt, hash FROM users WHERE name = ?", (name,)).fetchone()
        if row is None:
            _hash(password, b"\0" * 16)  # the same work for an unknown name
            return None
        if not hmac.compare_digest(_hash(password, row["salt"]), row["hash"]):
            return None
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        with self._write() as db:
            db.execute("DELETE FROM sessions WHERE expires < ?", (time.time(),))
            db.execute(
                "INSERT INTO sessions VALUES (?, ?, ?, ?)",
                (token, row["id"], csrf, time.time() + SESSION_SECONDS),
            )
        return token, csrf

    def session(self, token: str | None) -> dict[str, Any] | None:
        """The user and CSRF token of a live session."""
        if not token:
            return None
        with self._read() as db:
            row = db.execute(
                "SELECT u.id, u.name, u.role, s.csrf FROM sessions s JOIN users u "
                "ON u.id = s.user_id WHERE s.token = ? AND s.expires > ?",
                (token, time.time()),
            ).fetchone()
        return dict(row) if row else None

    def logout(self, token: str) -> None:
        with self._write() as db:
            db.execute("DELETE FROM sessions WHERE token = ?", (token,))

    # assignments ----------------------------------------------------------------------------

    def assign(self) -> int:
        """Give every item ``per_item`` annotators, the least loaded first (balanced); returns
        how many assignments were made."""
        annotators = [u["id"] for u in self.users("annotator")]
        if not annotators:
            return 0
        k = min(self.per_item, len(annotators))
        made = 0
        with self._write() as db:
            load = dict.fromkeys(annotators, 0)
            for row in db.execute("SELECT user_id, COUNT(*) n FROM assignments GROUP BY user_id"):
                if row["user_id"] in load:
                    load[row["user_id"]] = row["n"]
            items = db.execute("SELECT id FROM items ORDER BY id").fetchall()
            for item in items:
                have = {
                    r[0]
                    for r in db.execute(
                        "SELECT user_id FROM assignments WHERE item_id = ?", (item["id"],)
                    )
                }
                for user in sorted(load, key=lambda u: (load[u], u)):
                    if len(have) >= k:
                        break
                    if user not in have:
                        db.execute("INSERT INTO assignments VALUES (?, ?)", (item["id"], user))
                        have.add(user)
                        load[user] += 1
                        made += 1
        return made

    def queue(self, user_id: int) -> list[dict[str, Any]]:
        """The user's assigned items, with whether each is answered."""
        with self._read() as db:
            rows = db.execute(
                "SELECT i.id, i.key, a.version IS NOT NULL AS done FROM assignments s "
                "JOIN items i ON i.id = s.item_id LEFT JOIN answers a "
                "ON a.item_id = i.id AND a.user_id = s.user_id WHERE s.user_id = ? ORDER BY i.id",
                (user_id,),
            ).fetchall()
        return [dict(r) for r in rows]

    def is_assigned(self, item_id: int, user_id: int) -> bool:
        with self._read() as db:
            row = db.execute(
                "SELECT 1 FROM assignments WHERE item_id = ? AND user_id = ?", (item_id, user_id)
            ).fetchone()
        return row is not None

    # items and answers ------------------------------------------------------------------

    def item(self, item_id: int) -> dict[str, Any] | None:
        with self._read() as db:
            row = db.execute(
                "SELECT id, key, record FROM items WHERE id = ?", (item_id,)
            ).fetchone()
        if row is None:
            return None
        return {"id": row["id"], "key": row["key"], "record": orjson.loads(row["record"])}

    def answer(self, item_id: int, user_id: int) -> dict[str, Any] | None:
        with self._read() as db:
            row = db.execute(
                "SELECT * FROM answers WHERE item_id = ? AND user_id = ?", (item_id, user_id)
            ).fetchone()
            edit = db.execute(
                "SELECT text FROM revisions WHERE item_id = ? AND user_id = ? ORDER BY id DESC "
                "LIMIT 1",
                (item_id, user_id),
            ).fetchone()
        if row is None:
            return None
        out = dict(row)
        out["scores"] = orjson.loads(out["scores"])
        out["edit"] = edit["text"] if edit else None
        return out

    def save_answer(
        self,
        item_id: int,
        user_id: int,
        *,
        scores: dict[str, int],
        decision: str | None,
        flag: bool,
        notes: str,
        edit: str | None,
        version: int,
    ) -> int:
        """Store an answer made from a page that showed ``version`` (0: none yet); returns the
        new version, or raises :class:`StaleAnswer` when the stored one has moved on."""
        if decision not in (None, "accept", "reject"):
            raise FtprepError(f"unknown decision {decision!r}")
        for name, score in scores.items():
            if name not in self.rubric or not 1 <= score <= 5:
                raise FtprepError(f"bad score {name}={score}")
        with self._write() as db:
            row = db.execute(
                "SELECT version FROM answers WHERE item_id = ? AND user_id = ?", (item_id, user_id)
            ).fetchone()
            current = row["version"] if row else 0
            if current != version:
                raise StaleAnswer(
                    "this answer was changed elsewhere since the page was loaded; reload it"
                )
            db.execute(
                "INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (item_id, user_id, orjson.dumps(scores).decode(), decision, int(flag), notes,
                 current + 1, time.time()),
            )  # fmt: skip
            if edit is not None:
                last = db.execute(
                    "SELECT text FROM revisions WHERE item_id = ? AND user_id = ? ORDER BY id "
                    "DESC LIMIT 1",
                    (item_id, user_id),
                ).fetchone()
                if last is None or last["text"] != edit:
                    db.execute(
                        "INSERT INTO revisions (item_id, user_id, text, created) VALUES "
                        "(?, ?, ?, ?)",
                        (item_id, user_id, edit, time.time()),
                    )
        return int(current + 1)

    def answers(self) -> list[dict[str, Any]]:
        """Every answer, with the annotator's name and the item's key."""
        with self._read() as db:
            rows = db.execute(
                "SELECT a.*, u.name AS annotator, i.key FROM answers a JOIN users u "
                "ON u.id = a.user_id JOIN items i ON i.id = a.item_id ORDER BY a.item_id, u.name"
            ).fetchall()
        out = []
        for r in rows:
            d = dict(r)
            d["scores"] = orjson.loads(d["scores"])
            out.append(d)
        return out

    def adjudicate(self, item_id: int, user_id: int, decision: str, notes: str) -> None:
        if decision not in ("accept", "reject"):
            raise FtprepError(f"unknown decision {decision!r}")
        with self._write() as db:
            db.execute(
                "INSERT OR REPLACE INTO adjudications VALUES (?, ?, ?, ?, ?)",
                (item_id, user_id, decision, notes, time.time()),
            )

    def adjudications(self) -> dict[int, dict[str, Any]]:
        with self._read() as db:
            rows = db.execute("SELECT * FROM adjudications").fetchall()
        return {r["item_id"]: dict(r) for r in rows}

    def latest_edits(self) -> dict[int, list[str]]:
        """Each item's latest edit by each annotator who made one."""
        with self._read() as db:
            rows = db.execute(
                "SELECT item_id, user_id, text FROM revisions r WHERE id = (SELECT MAX(id) FROM "
                "revisions WHERE item_id = r.item_id AND user_id = r.user_id)"
            ).fetchall()
        out: dict[int, list[str]] = {}
        for r in rows:
            out.setdefault(r["item_id"], []).append(r["text"])
        return out

    def items(self) -> list[dict[str, Any]]:
        with self._read() as db:
            rows = db.execute("SELECT id, key, record FROM items ORDER BY id").fetchall()
        return [{"id": r["id"], "key": r["key"], "record": orjson.loads(r["record"])} for r in rows]


def _hash(password: str, salt: bytes) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
