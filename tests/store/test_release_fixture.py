"""A database written by the release before conversations opens with everything kept.

`tests/fixtures/release-0.1.db` was written by that release's own CLI against the loopback fake
server (tests/fixtures/make_release_db.py): a blind battle voted `a`, a named one voted `tie`, a
blind one whose answer names its maker (identity leak), and a blind one where a side failed.
Its contents were read with the sqlite3 shell before any of this code existed; the expectations
below are those values."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from desktop.core.base import paths
from desktop.core.store import get_battle, list_battles, open_store
from desktop.core.store.migrate import applied
from desktop.core.store.migrations import MIGRATIONS
from desktop.core.store.votes import vote_blocker

FIXTURE = Path(__file__).parent.parent / "fixtures" / "release-0.1.db"

BATTLES = {
    "dbc4d464-2032-4fb8-8cee-c1225d40c2a7": ("blind", "factual", "a", False),
    "3e44d9f9-0044-4e35-8213-58d724bf7f07": ("named", "coding", "tie", False),
    "e0d2858e-489e-4c76-967c-e4ccd6af0ac2": ("blind", "Weather", None, True),
    "657815c7-cce2-4fc1-bfd2-d9404e3e9ebb": ("blind", "other", None, False),
}


def raw_rows(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_the_released_database_becomes_one_turn_conversations_with_everything_kept():
    before_answers = raw_rows(
        FIXTURE, "SELECT battle_id, position, contender, model, finish_reason, error_kind, text "
        "FROM answers ORDER BY battle_id, position")
    before_votes = raw_rows(FIXTURE, "SELECT battle_id, choice, voted_at, decide_s FROM votes "
                            "ORDER BY id")
    assert len(before_answers) == 8 and len(before_votes) == 2
    target = paths.database_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(FIXTURE, target)

    store = open_store()
    try:
        assert applied(store.conn) == [name for name, _ in MIGRATIONS]
        assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert {s.id for s in list_battles(store)} == set(BATTLES)
        after_answers = []
        for battle_id, (mode, category, choice, leak) in BATTLES.items():
            record = get_battle(store, battle_id)
            assert (record.mode, record.category, record.identity_leak) == (mode, category, leak)
            assert record.vote is None if choice is None else record.vote.choice == choice
            assert len(record.turns) == 1 and record.turns[0].prompt == record.prompt
            for seat in ("a", "b"):
                answer = record.turns[0].answers[seat]
                assert answer is not None and answer.text == record.answer(seat).text
                after_answers.append((battle_id, seat, answer.contender, answer.model,
                                      answer.finish_reason,
                                      answer.error.kind if answer.error else None, answer.text))
        assert sorted(after_answers) == before_answers
        after_votes = store.conn.execute(
            "SELECT battle_id, choice, voted_at, decide_s FROM votes ORDER BY id").fetchall()
        assert after_votes == before_votes
        assert [r[0] for r in store.conn.execute("SELECT turns FROM votes")] == [1, 1]
        # The unvoted leak-free battle can still be voted on; the failed one still cannot.
        failed = get_battle(store, "657815c7-cce2-4fc1-bfd2-d9404e3e9ebb")
        assert vote_blocker(failed).reason == "side_failed"
        assert vote_blocker(get_battle(store, "e0d2858e-489e-4c76-967c-e4ccd6af0ac2")) is None
    finally:
        store.close()
