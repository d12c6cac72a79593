"""Pooling votes from another database: twice adds once, older files, conflicts, bad files."""

from __future__ import annotations

import sqlite3

import pytest

from desktop.core.battle.categories import resolve_category
from desktop.core.importing.merge import MergeError, merge_database
from desktop.core.stats.results import compute_results
from desktop.core.store import cast_vote, get_battle, open_store
from tests.store.helpers import battle, populate
from tests.store.test_migrations import write_v1


def counts(store):
    return tuple(store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                 for t in ("battles", "answers", "votes"))


def test_merging_twice_adds_each_battle_and_vote_once(store, tmp_path):
    populate(store, 30, k=3, seed=1)
    other_path = tmp_path / "teammate.db"
    other = open_store(other_path)
    populate(other, 40, k=3, seed=2)
    unvoted = battle(other, prompt="not voted yet")
    resolve_category(other, "Legal")
    other.close()

    first = merge_database(store, other_path)
    assert (first.battles_added, first.votes_added, first.categories_added) == (41, 40, 1)
    assert counts(store) == (71, 142, 70)
    second = merge_database(store, other_path)
    assert (second.battles_added, second.votes_added) == (0, 0)
    assert (second.battles_already_here, second.votes_already_here) == (41, 40)
    assert counts(store) == (71, 142, 70)
    assert get_battle(store, unvoted.id).prompt == "not voted yet"
    assert compute_results(store).votes == 70
    assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_a_vote_cast_elsewhere_on_a_shared_battle_is_brought_in(store, tmp_path):
    shared = battle(store)
    mine = battle(store)
    cast_vote(store, mine.id, "a")
    copy = tmp_path / "copy.db"
    store.conn.execute("VACUUM INTO ?", (str(copy),))
    other = open_store(copy)
    cast_vote(other, shared.id, "b")
    other.conn.execute("DELETE FROM votes WHERE battle_id = ?", (mine.id,))
    cast_vote(other, mine.id, "b")  # a different vote on a battle this file already voted on
    other.close()
    summary = merge_database(store, copy)
    assert summary.battles_added == 0 and summary.votes_added == 1
    assert summary.vote_conflicts == 1
    assert get_battle(store, shared.id).vote.choice == "b"
    assert get_battle(store, mine.id).vote.choice == "a"  # ours is kept


def test_an_older_schema_file_can_be_merged_and_is_not_modified(store, tmp_path):
    old = tmp_path / "old.db"
    write_v1(old)
    before = old.read_bytes()
    summary = merge_database(store, old)
    assert summary.battles_added == 1
    assert old.read_bytes() == before  # the other file is only read
    merged = get_battle(store, "11111111-1111-4111-8111-111111111111")
    assert merged.identity_leak and merged.a_slot == "right"


def test_bad_files_are_refused_clearly(store, tmp_path):
    with pytest.raises(MergeError, match="no file"):
        merge_database(store, tmp_path / "missing.db")
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not sqlite" * 100)
    with pytest.raises(MergeError, match="could not be read"):
        merge_database(store, junk)
    foreign = tmp_path / "foreign.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE x (y)")
    conn.commit()
    conn.close()
    with pytest.raises(MergeError, match="not one made by Side by Side"):
        merge_database(store, foreign)
    with pytest.raises(MergeError, match="own database"):
        merge_database(store, store.path)
    assert counts(store) == (0, 0, 0)


def test_merge_carries_whole_conversations(store, tmp_path):
    from desktop.core.contenders.answer import Answer
    from desktop.core.store import append_turn

    def answer(text):
        return Answer(contender="compat:m@http://x/v1", provider="compat", kind="proprietary",
                      text=text, finish_reason="stop")

    other_path = tmp_path / "teammate.db"
    other = open_store(other_path)
    opening = battle(other, prompt="Turn one")
    append_turn(other, opening.id, "Turn two", {"a": answer("A two"), "b": answer("B two")})
    append_turn(other, opening.id, "Turn three", {"a": answer("A three"),
                                                  "b": answer("B three (OpenAI here)")})
    cast_vote(other, opening.id, "b")
    other.close()

    merge_database(store, other_path)
    merged = get_battle(store, opening.id)
    assert [t.prompt for t in merged.turns] == ["Turn one", "Turn two", "Turn three"]
    assert merged.turns[2].answers["b"].text == "B three (OpenAI here)"
    assert merged.identity_leak and merged.vote.choice == "b"  # the leak of turn 3 counts
    assert store.conn.execute("SELECT turns FROM votes WHERE battle_id = ?",
                              (opening.id,)).fetchone()[0] == 3
