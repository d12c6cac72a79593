"""The outbox in the local file (migration m012): written in the same transaction as each save
and vote, only while a team is joined. These tests need no server."""

from __future__ import annotations

import sqlite3

import pytest

from desktop.core.store import append_turn, cast_vote, delete_battle, open_store
from desktop.core.store.migrate import migrate
from tests.store.helpers import answer, battle


def columns(store, table: str) -> list[str]:
    return [r[1] for r in store.conn.execute(f"PRAGMA table_info({table})")]


def queued(store) -> dict[str, str]:
    return dict(store.conn.execute("SELECT battle_id, queued_at FROM team_outbox"))


def joined(store) -> None:
    with store.transaction() as db:
        db.execute("INSERT INTO team_settings (id, server, voter, joined_at) VALUES "
                   "(1, 'postgresql://u@h:5432/d', 'ana', '2026-01-01T00:00:00.000Z')")


def test_migration_adds_the_team_tables(tmp_path):
    store = open_store(tmp_path / "old.db")
    assert "m012_team_outbox" in [n for (n,) in store.conn.execute("SELECT name FROM migrations")]
    assert columns(store, "team_settings") == ["id", "server", "voter", "push_texts", "joined_at",
                                               "last_push_at", "last_error"]
    assert columns(store, "team_outbox") == ["battle_id", "queued_at"]
    assert migrate(store) == []


def test_nothing_is_queued_outside_a_team():
    with open_store() as store:
        cast_vote(store, battle(store).id, "a")
        assert queued(store) == {}


def test_saves_turns_and_votes_queue_the_battle_in_their_own_transaction():
    with open_store() as store:
        joined(store)
        record = battle(store)
        assert list(queued(store)) == [record.id]
        store.conn.execute("DELETE FROM team_outbox")  # as a push does
        append_turn(store, record.id, "And then?", {"a": answer("local"),
                                                   "b": answer("openai:gpt-4o-mini")})
        assert list(queued(store)) == [record.id]
        store.conn.execute("DELETE FROM team_outbox")
        cast_vote(store, record.id, "b")
        third = queued(store)[record.id]
        # A save that fails leaves the queue as it was: the same transaction.
        with pytest.raises(sqlite3.IntegrityError):
            battle(store, battle_id=record.id)
        assert queued(store) == {record.id: third}
        assert delete_battle(store, record.id)
        assert queued(store) == {}
