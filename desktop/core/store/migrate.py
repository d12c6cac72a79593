"""Running the migrations (desktop/core/store/migrations.py holds the ordered list): every
pending one in ONE `BEGIN IMMEDIATE` transaction with its row in the `migrations` table, so a
file is always at a named, complete step. A file that records a migration this code does not
know was written by a newer Side by Side and is refused; another program's database is refused
before anything is created in it."""

from __future__ import annotations

import sqlite3
from contextlib import AbstractContextManager
from typing import Protocol

from desktop.core.store.base import NOT_SIDEBYSIDE, TOO_NEW, StoreError, utc_now
from desktop.core.store import migrations


class Migratable(Protocol):
    """What `migrate` uses of the store (desktop.core.store.db.Store), which imports this module
    to migrate what it opens: named by shape, so that this module never imports it back."""

    conn: sqlite3.Connection

    def transaction(self, doing: str = ...) -> AbstractContextManager[sqlite3.Connection]: ...


def applied(db: sqlite3.Connection) -> list[str]:
    exists = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'migrations'"
    ).fetchone()
    if not exists:
        return []
    return [row[0] for row in db.execute("SELECT name FROM migrations ORDER BY rowid")]


def migrate(store: Migratable, upto: str | None = None) -> list[str]:
    """Apply every pending migration (or those up to and including `upto`) in one transaction.

    Returns the names applied now (empty when the file was current)."""
    known = [name for name, _ in migrations.MIGRATIONS]
    if applied(store.conn) == known:  # the common case: no write lock needed
        return []
    with store.transaction("prepare the database") as db:
        done = applied(db)  # read again under the write lock: another instance may have migrated
        unknown = [name for name in done if name not in known]
        if unknown:
            raise StoreError(
                TOO_NEW,
                "This database was written by a newer version of Side by Side "
                f"(it has changes this version does not know: {', '.join(unknown)}). "
                "Update Side by Side to open it.",
            )
        if not done and _has_foreign_tables(db):
            raise StoreError(
                NOT_SIDEBYSIDE,
                "This file is an SQLite database, but not one made by Side by Side.",
            )
        db.execute(
            "CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        now_applied = []
        for name, fn in migrations.MIGRATIONS:
            if name not in done:
                fn(db)
                db.execute("INSERT INTO migrations (name, applied_at) VALUES (?, ?)", (name, utc_now()))
                now_applied.append(name)
            if name == upto:
                break
    return now_applied


def _has_foreign_tables(db: sqlite3.Connection) -> bool:
    return db.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name != 'migrations'"
    ).fetchone()[0] > 0
