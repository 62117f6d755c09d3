"""The Event Listener's outbox: one SQLite row per (rule, target) event, committed with fsync.

Rows move `pending` -> `delivering` -> `delivered`, or back to `pending` for a retry, or to
`failed` once the retries are spent. Every attempt is kept on its row.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from catalyst_local.ids import new_id

PENDING, DELIVERING, DELIVERED, FAILED = "pending", "delivering", "delivered", "failed"
STATES = (PENDING, DELIVERING, DELIVERED, FAILED)

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    rule TEXT NOT NULL,
    function TEXT NOT NULL,
    source TEXT NOT NULL,
    action TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    entity_name TEXT NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL,
    series INTEGER NOT NULL DEFAULT 1,
    attempts TEXT NOT NULL DEFAULT '[]',
    next_attempt_at REAL NOT NULL,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_state ON events (state, seq);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(frozen=True)
class NewEvent:
    rule: str
    function: str
    source: str
    action: str
    entity_id: str
    entity_name: str
    body: str


@dataclass(frozen=True)
class StoredEvent:
    id: str
    rule: str
    function: str
    source: str
    action: str
    entity_id: str
    entity_name: str
    body: str
    state: str
    series: int
    attempts: list[dict[str, Any]]
    next_attempt_at: float
    created_at: float

    @property
    def attempts_in_series(self) -> int:
        return sum(1 for attempt in self.attempts if attempt["series"] == self.series)

    def as_json(self, *, with_body: bool = False) -> dict[str, Any]:
        value: dict[str, Any] = {
            "id": self.id, "rule": self.rule, "function": self.function, "source": self.source,
            "action": self.action, "source_entity_id": self.entity_id,
            "entity_name": self.entity_name, "state": self.state, "series": self.series,
            "attempts": self.attempts, "created_time": int(self.created_at * 1000),
            "next_attempt_time": (int(self.next_attempt_at * 1000)
                                  if self.state == PENDING else None),
        }
        if with_body:
            value["body"] = json.loads(self.body)
        return value


class EventStore:
    """Thread-safe access to the outbox; every write is committed before it returns."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        # FULL: a commit is on disk (fsync) before emit() returns, even across a power cut.
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def meta(self, key: str, default: str) -> str:
        """A stored value, or `default` stored under `key` the first time it is asked."""
        with self._lock:
            self._db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)",
                             (key, default))
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row["value"])

    def add(self, events: list[NewEvent]) -> list[str]:
        """Commits every event in one transaction and returns their ids."""
        now = time.time()
        ids: list[str] = []
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for event in events:
                    event_id = self._insert(event, now)
                    ids.append(event_id)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return ids

    def clear(self) -> int:
        """Forgets every event; returns how many there were. A delivery in flight finishes
        against a row that is gone, and records nothing."""
        with self._lock:
            return self._db.execute("DELETE FROM events").rowcount

    def _insert(self, event: NewEvent, now: float) -> str:
        while True:
            event_id = new_id(19)
            try:
                self._db.execute(
                    "INSERT INTO events (id, rule, function, source, action, entity_id,"
                    " entity_name, body, state, next_attempt_at, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (event_id, event.rule, event.function, event.source, event.action,
                     event.entity_id, event.entity_name, event.body, PENDING, now, now))
                return event_id
            except sqlite3.IntegrityError:
                continue  # the rare id drawn twice in one millisecond

    def get(self, event_id: str) -> StoredEvent | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM events WHERE id = ?", (event_id,)).fetchone()
        return _stored(row) if row else None

    def list(self, state: str | None = None) -> list[StoredEvent]:
        with self._lock:
            if state is None:
                rows = self._db.execute("SELECT * FROM events ORDER BY seq").fetchall()
            else:
                rows = self._db.execute("SELECT * FROM events WHERE state = ? ORDER BY seq",
                                        (state,)).fetchall()
        return [_stored(row) for row in rows]

    def pending(self) -> list[StoredEvent]:
        return self.list(PENDING)

    def requeue_interrupted(self) -> int:
        """Puts back rows left `delivering` by a stop or a crash: delivery is at least once."""
        with self._lock:
            cursor = self._db.execute("UPDATE events SET state = ?, next_attempt_at = ?"
                                      " WHERE state = ?", (PENDING, time.time(), DELIVERING))
        return cursor.rowcount

    def mark_delivering(self, event_id: str) -> None:
        self._set(event_id, state=DELIVERING)

    def record_attempt(self, event: StoredEvent, attempt: dict[str, Any], state: str,
                       next_attempt_at: float | None = None) -> None:
        self._set(event.id, state=state, attempts=json.dumps([*event.attempts, attempt]),
                  next_attempt_at=next_attempt_at or event.next_attempt_at)

    def postpone(self, event: StoredEvent, next_attempt_at: float) -> None:
        """Puts an event back as pending, untried, for a later time."""
        self._set(event.id, state=PENDING, next_attempt_at=next_attempt_at)

    def requeue(self, event: StoredEvent) -> None:
        """Starts a new attempt series for a delivered or failed event."""
        self._set(event.id, state=PENDING, series=event.series + 1, next_attempt_at=time.time())

    def _set(self, event_id: str, **columns: Any) -> None:
        assignments = ", ".join(f"{name} = ?" for name in columns)
        with self._lock:
            self._db.execute(f"UPDATE events SET {assignments} WHERE id = ?",
                             (*columns.values(), event_id))


def _stored(row: sqlite3.Row) -> StoredEvent:
    return StoredEvent(id=row["id"], rule=row["rule"], function=row["function"],
                       source=row["source"], action=row["action"], entity_id=row["entity_id"],
                       entity_name=row["entity_name"], body=row["body"], state=row["state"],
                       series=row["series"], attempts=json.loads(row["attempts"]),
                       next_attempt_at=row["next_attempt_at"], created_at=row["created_at"])
