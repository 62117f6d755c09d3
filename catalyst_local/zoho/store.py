"""The sandbox's SQLite database: one file under the data directory, shared by every part."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS orgs (
    zgid TEXT PRIMARY KEY, org_id TEXT, dc TEXT, company_name TEXT, utc_offset_minutes INTEGER,
    user_id TEXT, user_name TEXT, user_email TEXT);
CREATE TABLE IF NOT EXISTS clients (
    client_id TEXT PRIMARY KEY, client_secret TEXT, dc TEXT, zgid TEXT);
CREATE TABLE IF NOT EXISTS refresh_tokens (
    token TEXT PRIMARY KEY, client_id TEXT, dc TEXT, zgid TEXT, created REAL,
    revoked INTEGER DEFAULT 0, provisioned INTEGER DEFAULT 0);
CREATE TABLE IF NOT EXISTS access_tokens (
    token TEXT PRIMARY KEY, refresh_token TEXT, client_id TEXT, dc TEXT, zgid TEXT,
    issued REAL, expires REAL);
CREATE TABLE IF NOT EXISTS refreshes (refresh_token TEXT, at REAL);
CREATE TABLE IF NOT EXISTS grant_codes (
    code TEXT PRIMARY KEY, client_id TEXT, dc TEXT, zgid TEXT, access_type TEXT,
    redirect_uri TEXT, expires REAL, used INTEGER DEFAULT 0);
CREATE TABLE IF NOT EXISTS files (
    file_id TEXT PRIMARY KEY, zgid TEXT, dc TEXT, name TEXT, size INTEGER, created REAL,
    used_by TEXT);
CREATE TABLE IF NOT EXISTS jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE, zgid TEXT, dc TEXT, status TEXT,
    changed REAL, created REAL, finished REAL, request TEXT, plan TEXT, outcome TEXT);
CREATE TABLE IF NOT EXISTS records (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE, zgid TEXT, module TEXT, data TEXT,
    created REAL, modified REAL);
CREATE INDEX IF NOT EXISTS records_by_module ON records (zgid, module);
CREATE TABLE IF NOT EXISTS picklist_values (
    zgid TEXT, module TEXT, field TEXT, value TEXT, PRIMARY KEY (zgid, module, field, value));
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT);
"""

# Emptied by a sandbox reset; orgs, clients and refresh tokens stay so wired functions keep
# working.
DATA_TABLES = ("access_tokens", "refreshes", "grant_codes", "files", "jobs", "records",
               "picklist_values", "kv")


class Store:
    """A thread-safe wrapper over one SQLite connection.

    Routes call it from the event loop and the job processor from a worker thread, so every
    statement runs under one lock; each call is short except a job's row batch.
    """

    def __init__(self, directory: Path):
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self._lock = threading.RLock()
        self._db = sqlite3.connect(directory / "sandbox.sqlite3", check_same_thread=False,
                                   isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)

    def all(self, sql: str, *args: Any) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def one(self, sql: str, *args: Any) -> sqlite3.Row | None:
        with self._lock:
            return self._db.execute(sql, args).fetchone()

    def run(self, sql: str, *args: Any) -> int:
        with self._lock:
            return self._db.execute(sql, args).rowcount

    def many(self, sql: str, rows: Iterable[tuple[Any, ...]]) -> None:
        with self._lock:
            self._db.executemany(sql, rows)

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """Holds the lock for a block of statements that commit together or not at all."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def get(self, key: str) -> str | None:
        row = self.one("SELECT value FROM kv WHERE key = ?", key)
        return None if row is None else row["value"]

    def put(self, key: str, value: str) -> None:
        self.run("INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)", key, value)

    def clear_data(self) -> None:
        with self.transaction():
            for table in DATA_TABLES:
                self._db.execute(f"DELETE FROM {table}")

    def close(self) -> None:
        with self._lock:
            self._db.close()
