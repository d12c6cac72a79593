"""Votes: one per battle (code and schema), refused with reasons, durable, racing."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading

import pytest

from desktop.core.base.errors import CANCELLED, ErrorInfo
from desktop.core.store import (
    VoteRefused, cast_vote, get_battle, get_vote, make_record, open_store, save_battle,
    vote_blocker,
)
from desktop.core.store import votes as votes_mod
from tests.store.helpers import answer, battle


def refused(store, battle_id, choice="a") -> VoteRefused:
    with pytest.raises(VoteRefused) as info:
        cast_vote(store, battle_id, choice)
    return info.value


def test_a_vote_is_recorded_and_the_receipt_reveals_both_models(store):
    rec = battle(store, "openai:gpt-4o-mini", "local", mode="blind", a_slot="right")
    receipt = cast_vote(store, rec.id, "b", decide_s=4.5)
    assert receipt.vote.choice == "b" and receipt.vote.decide_s == 4.5
    assert receipt.battle.a.contender == "openai:gpt-4o-mini" and receipt.battle.b.contender == "local"
    assert votes_mod.winner_of(receipt.battle, "b") == "local"
    # Committed: another connection sees it at once.
    other = sqlite3.connect(store.path)
    assert other.execute("SELECT choice, contender_a, contender_b FROM votes").fetchall() == [
        ("b", "openai:gpt-4o-mini", "local")]
    other.close()
    assert get_vote(store, rec.id).choice == "b"
    assert get_battle(store, rec.id).vote.decide_s == 4.5


def test_decide_time_defaults_to_time_since_the_battle_was_saved(store):
    rec = save_battle(store, make_record("p", answer("local"), answer("openai:x"),
                                         created_at="2025-01-01T00:00:00.000Z"))
    receipt = cast_vote(store, rec.id, "tie", voted_at="2025-01-01T00:00:07.500Z")
    assert receipt.vote.decide_s == pytest.approx(7.5)


def test_a_second_vote_is_refused_with_a_clear_message(store):
    rec = battle(store)
    cast_vote(store, rec.id, "a")
    err = refused(store, rec.id, "b")
    assert err.reason == votes_mod.ALREADY_VOTED
    assert "already has a vote" in err.message and "A is better" in err.message
    assert get_vote(store, rec.id).choice == "a"


def test_the_schema_itself_allows_one_vote_per_battle(store):
    rec = battle(store)
    cast_vote(store, rec.id, "a")
    with pytest.raises(sqlite3.IntegrityError):
        store.conn.execute(
            "INSERT INTO votes (battle_id, choice, voted_at, contender_a, contender_b, category) "
            "VALUES (?, 'b', 'now', 'x', 'y', 'other')", (rec.id,))


def test_the_unique_constraint_backs_the_check(store, monkeypatch):
    rec = battle(store)
    cast_vote(store, rec.id, "a")
    monkeypatch.setattr(votes_mod, "vote_blocker", lambda battle: None)  # the check "misses"
    err = refused(store, rec.id, "b")
    assert err.reason == votes_mod.ALREADY_VOTED


def test_a_battle_where_a_side_errored_cannot_be_voted_on(store):
    failed = answer("openai:gpt-4o-mini", "partial", finish="error",
                    error=ErrorInfo("rate_limit", "OpenAI says too many requests; wait a minute."))
    rec = save_battle(store, make_record("p", answer("local"), failed))
    err = refused(store, rec.id)
    assert err.reason == votes_mod.SIDE_FAILED
    assert "answer B failed" in err.message and "too many requests" in err.message
    assert "cannot be voted on" in err.message
    assert get_vote(store, rec.id) is None


def test_a_cancelled_battle_cannot_be_voted_on(store):
    stopped = answer("local", "half an ans", finish="cancelled",
                     error=ErrorInfo(CANCELLED, "Stopped before the answer was finished."))
    rec = save_battle(store, make_record("p", stopped, answer("openai:x")))
    err = refused(store, rec.id, "tie")
    assert err.reason == votes_mod.SIDE_CANCELLED
    assert "answer A was stopped before it finished" in err.message


def test_unknown_battles_and_choices_are_refused(store):
    assert refused(store, "no-such-id").reason == votes_mod.NOT_FOUND
    rec = battle(store)
    err = refused(store, rec.id, "left")
    assert err.reason == votes_mod.BAD_CHOICE and "a, b, tie, both_bad" in err.message


def test_vote_blocker_lets_the_window_grey_out_buttons(store):
    rec = battle(store)
    assert vote_blocker(get_battle(store, rec.id)) is None
    cast_vote(store, rec.id, "both_bad")
    assert vote_blocker(get_battle(store, rec.id)).reason == votes_mod.ALREADY_VOTED


def test_two_votes_at_once_from_two_connections_keep_one(store):
    for _ in range(20):
        rec = battle(store)
        stores = [open_store(), open_store()]
        outcomes = []
        barrier = threading.Barrier(2)

        def vote(s, choice):
            barrier.wait()
            try:
                outcomes.append(cast_vote(s, rec.id, choice).vote.choice)
            except VoteRefused as exc:
                outcomes.append(exc.reason)

        threads = [threading.Thread(target=vote, args=(s, c)) for s, c in zip(stores, "ab")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for s in stores:
            s.close()
        assert sorted(outcomes, key=len) in (["a", votes_mod.ALREADY_VOTED],
                                             ["b", votes_mod.ALREADY_VOTED])
        kept = get_vote(store, rec.id).choice
        assert kept in outcomes


def test_two_processes_voting_at_once_keep_one(store):
    rec = battle(store)
    code = (
        "import sys; from desktop.core.store import open_store, cast_vote, VoteRefused\n"
        "s = open_store()\n"
        "try:\n    cast_vote(s, sys.argv[1], sys.argv[2]); print('ok')\n"
        "except VoteRefused as e:\n    print(e.reason)\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", code, rec.id, c], stdout=subprocess.PIPE,
                              text=True) for c in ("a", "b")]
    results = sorted(p.communicate(timeout=60)[0].strip() for p in procs)
    assert results == [votes_mod.ALREADY_VOTED, "ok"]
    assert store.conn.execute("SELECT count(*) FROM votes").fetchone()[0] == 1


def test_a_full_disk_reports_the_vote_and_it_can_be_retried(store, monkeypatch):
    from desktop.core.store import StoreError

    rec = battle(store)
    real_insert = votes_mod.insert_vote

    def insert_on_a_full_disk(db, *args):
        real_insert(db, *args)
        # The transaction now needs new pages that SQLite may not have: a genuine SQLITE_FULL.
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {pages}")
        db.execute("INSERT INTO categories VALUES (?, 'x')", ("y" * 200_000,))

    monkeypatch.setattr(votes_mod, "insert_vote", insert_on_a_full_disk)
    with pytest.raises(StoreError) as info:
        cast_vote(store, rec.id, "a")
    assert info.value.kind == "disk_full" and "try again" in info.value.message
    assert get_vote(store, rec.id) is None  # rolled back whole, not half-saved
    monkeypatch.setattr(votes_mod, "insert_vote", real_insert)
    store.conn.execute("PRAGMA max_page_count = 1073741823")  # space freed
    assert cast_vote(store, rec.id, "a").vote.choice == "a"


def test_acknowledged_votes_survive_sigkill(store):
    """A process voting as fast as it can is killed outright in mid-stream, several times:
    every vote it had acknowledged is in the file, and the file passes integrity_check."""
    import signal

    ids = [battle(store, prompt=f"p{i}").id for i in range(300)]
    code = (
        "import sys; from desktop.core.store import open_store, cast_vote, VoteRefused\n"
        "s = open_store()\n"
        "for battle_id in sys.argv[1:]:\n"
        "    try:\n"
        "        cast_vote(s, battle_id, 'a')\n"
        "    except VoteRefused:\n"
        "        continue  # committed by a killed predecessor, not acknowledged\n"
        "    print(battle_id, flush=True)\n"
    )
    acknowledged: list[str] = []
    for round_ in range(4):
        remaining = [i for i in ids if i not in set(acknowledged)]
        proc = subprocess.Popen([sys.executable, "-c", code, *remaining], stdout=subprocess.PIPE,
                                text=True)
        for _ in range(10 + 7 * round_):  # let it acknowledge some, then kill it mid-stream
            acknowledged.append(proc.stdout.readline().strip())
        proc.send_signal(signal.SIGKILL)
        acknowledged += proc.stdout.read().split()
        proc.stdout.close()
        assert proc.wait(timeout=30) == -signal.SIGKILL
    check = sqlite3.connect(store.path)
    assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    saved = {row[0] for row in check.execute("SELECT battle_id FROM votes")}
    check.close()
    assert len(acknowledged) < len(ids)  # the kills really came mid-stream
    assert set(acknowledged) <= saved
