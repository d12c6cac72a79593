"""Thinking in the database, export and merge: kept apart from the answer everywhere."""

from __future__ import annotations

import csv

from desktop.core.base import paths
from desktop.core.results.export import export_votes
from desktop.core.importing.merge import merge_database
from desktop.core.store import (
    cast_vote,
    get_battle,
    make_record,
    migrations,
    open_store,
    save_battle,
)
from desktop.core.store.history import list_battles
from tests.store.helpers import answer
from tests.store.test_migrations import columns, write_v1

THOUGHT = "First I recall the facts, then I answer briefly."


def thinking_battle(store, thought: str = THOUGHT):
    a = answer("anthropic:claude-sonnet-4-5", "Paris.", thinking=thought, thinking_tokens=25,
               ttft_thinking_s=0.4, ttft_s=1.9, output_tokens=2)
    b = answer("local", "It is Paris.", thinking=None, thinking_tokens=0)
    return save_battle(store, make_record("Capital of France?", a, b, mode="blind"))


def test_thinking_is_stored_and_read_back_apart_from_the_answer(store):
    saved = thinking_battle(store)
    back = get_battle(store, saved.id)
    assert (back.a.text, back.a.thinking) == ("Paris.", THOUGHT)
    assert (back.a.thinking_tokens, back.a.ttft_thinking_s, back.a.output_tokens) == (25, 0.4, 2)
    assert (back.b.thinking, back.b.thinking_tokens) == (None, 0)
    assert back.a.to_dict()["thinking"] == THOUGHT


def test_older_files_gain_the_columns_and_their_battles_have_no_thinking():
    write_v1(paths.database_path())
    store = open_store()
    try:
        assert columns(store.conn, "answers")[-4:-1] == ["thinking", "thinking_tokens",
                                                         "ttft_thinking_s"]
        assert "m006_thinking" in [name for name, _ in migrations.MIGRATIONS]
        old = get_battle(store, "11111111-1111-4111-8111-111111111111")
        assert (old.a.thinking, old.a.thinking_tokens, old.a.ttft_thinking_s) == (None,) * 3
    finally:
        store.close()


def test_a_model_named_in_the_thinking_is_an_identity_leak(store):
    record = thinking_battle(store, "As Claude, I should answer plainly.")
    assert record.identity_leak and record.leak_names == ["Claude"]
    assert get_battle(store, record.id).identity_leak


def test_votes_csv_has_thinking_token_counts_and_texts(store, tmp_path):
    record = thinking_battle(store)
    cast_vote(store, record.id, "a")
    export_votes(store, tmp_path / "votes.csv", answers=True)
    with open(tmp_path / "votes.csv", newline="", encoding="utf-8") as f:
        [row] = list(csv.DictReader(f))
    assert (row["thinking_tokens_a"], row["thinking_tokens_b"]) == ("25", "0")
    assert (row["output_tokens_a"], row["answer_a"]) == ("2", "Paris.")
    assert (row["thinking_a"], row["thinking_b"]) == (THOUGHT, "")


def test_merge_keeps_the_thinking(store, tmp_path):
    other_path = tmp_path / "teammate.db"
    other = open_store(other_path)
    record = thinking_battle(other)
    other.close()
    assert merge_database(store, other_path).battles_added == 1
    merged = get_battle(store, record.id)
    assert (merged.a.thinking, merged.a.thinking_tokens) == (THOUGHT, 25)
    assert [s.id for s in list_battles(store)] == [record.id]
