"""Schema migrations: a fresh file, an older file, and a failure half-way."""

from __future__ import annotations

import sqlite3

import pytest

from desktop.core.base import paths
from desktop.core.store import StoreError, get_battle, open_store
from desktop.core.store import migrate, migrations

# The schema exactly as the first release wrote it: only m001_battles applied. Kept here as
# literal SQL (not built from today's code) so the test keeps meaning what it says.
V1_SCHEMA = """
CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL);
INSERT INTO migrations VALUES ('m001_battles', '2025-01-01T00:00:00.000Z');
CREATE TABLE battles (
    id TEXT PRIMARY KEY, created_at TEXT NOT NULL, prompt TEXT NOT NULL,
    system_prompt TEXT NOT NULL DEFAULT '', params TEXT NOT NULL DEFAULT '{}',
    category TEXT NOT NULL DEFAULT 'other',
    mode TEXT NOT NULL CHECK (mode IN ('blind', 'named')),
    a_slot TEXT NOT NULL CHECK (a_slot IN ('left', 'right'))
);
CREATE TABLE answers (
    battle_id TEXT NOT NULL REFERENCES battles(id) ON DELETE CASCADE,
    position TEXT NOT NULL CHECK (position IN ('a', 'b')),
    contender TEXT NOT NULL, provider TEXT NOT NULL, model TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL CHECK (kind IN ('open', 'proprietary')),
    finish_reason TEXT, error_kind TEXT, error_message TEXT, ttft_s REAL, total_s REAL,
    prompt_tokens INTEGER, output_tokens INTEGER, tokens_per_s REAL, cost_usd REAL,
    text TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (battle_id, position)
) WITHOUT ROWID;
CREATE INDEX battles_created_at ON battles (created_at);
INSERT INTO battles VALUES ('11111111-1111-4111-8111-111111111111', '2025-01-01T10:00:00.000Z',
    'Who made you?', '', '{}', 'factual', 'blind', 'right');
INSERT INTO answers (battle_id, position, contender, provider, model, kind, finish_reason, text)
    VALUES ('11111111-1111-4111-8111-111111111111', 'a', 'openai:gpt-4o-mini', 'openai',
            'gpt-4o-mini', 'proprietary', 'stop', 'I was trained by OpenAI.');
INSERT INTO answers (battle_id, position, contender, provider, model, kind, finish_reason, text)
    VALUES ('11111111-1111-4111-8111-111111111111', 'b', 'local', 'local', 'smol', 'open',
            'stop', 'A helpful assistant.');
"""

CURRENT_COLUMNS = {
    "battles": ["id", "created_at", "prompt", "system_prompt", "params", "category", "mode",
                "a_slot", "identity_leak", "leak_names", "turns"],
    "votes": ["id", "battle_id", "choice", "voted_at", "decide_s", "contender_a",
              "contender_b", "category", "identity_leak", "turns"],
    "turns": ["battle_id", "turn", "prompt", "created_at"],
    "answers": ["battle_id", "turn", "seat", "contender", "provider", "model", "kind",
                "finish_reason", "error_kind", "error_message", "ttft_s", "total_s",
                "prompt_tokens", "output_tokens", "tokens_per_s", "cost_usd", "text", "thinking",
                "thinking_tokens", "ttft_thinking_s", "threads"],
    "categories": ["name", "created_at"],
    "migrations": ["name", "applied_at"],
}


def columns(conn, table):
    return [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]


def write_v1(path):
    conn = sqlite3.connect(path)
    conn.executescript(V1_SCHEMA)
    conn.commit()
    conn.close()


def test_a_fresh_database_has_every_migration_and_column(store):
    names = [n for n, _ in migrations.MIGRATIONS]
    assert migrate.applied(store.conn) == names
    for table, expected in CURRENT_COLUMNS.items():
        assert columns(store.conn, table) == expected
    assert "text" in columns(store.conn, "answers")


def test_an_older_schema_file_migrates_and_keeps_its_battles():
    write_v1(paths.database_path())
    store = open_store()
    try:
        assert migrate.applied(store.conn) == [n for n, _ in migrations.MIGRATIONS]
        for table, expected in CURRENT_COLUMNS.items():
            assert columns(store.conn, table) == expected
        old = get_battle(store, "11111111-1111-4111-8111-111111111111")
        assert old.prompt == "Who made you?" and old.a_slot == "right"
        assert old.identity_leak and old.leak_names == ["OpenAI"]  # back-filled by m003
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        store.close()
    # Opening again applies nothing.
    again = open_store()
    assert migrate.migrate(again) == []
    again.close()


def test_pending_migrations_run_in_one_transaction(monkeypatch):
    write_v1(paths.database_path())

    def m999_broken(db):
        db.execute("CREATE TABLE half_done (x)")
        raise sqlite3.OperationalError("simulated failure in the last migration")

    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, ("m999_broken", m999_broken)])
    with pytest.raises(StoreError, match="simulated failure"):
        open_store()
    conn = sqlite3.connect(paths.database_path())
    # Nothing of m002..m004 stuck: the file is exactly at its old step.
    assert [r[0] for r in conn.execute("SELECT name FROM migrations")] == ["m001_battles"]
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "votes" not in tables and "half_done" not in tables
    assert "identity_leak" not in columns(conn, "battles")
    conn.close()


def test_migrating_part_way_is_possible_for_tests(tmp_path):
    from desktop.core.store.db import Store, connect

    path = tmp_path / "partial.db"
    conn = connect(path)
    partial = Store(conn, path)
    assert migrate.migrate(partial, upto="m002_votes") == ["m001_battles", "m002_votes"]
    assert "identity_leak" not in columns(conn, "battles")
    partial.close()
