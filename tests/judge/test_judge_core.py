"""The judge's core pieces: its table, its prompt and reply reading, the line shown after a
vote, and the order in which to vote next. These tests do not require Qt."""

from __future__ import annotations

from desktop.core.battle.judge_line import judge_line, judge_line_after_vote
from desktop.core.judge.prompt import SYSTEM_PROMPT, combine, parse_reply, question, to_seat
from desktop.core.stats.vote_order import Remaining, next_to_vote, order_remaining
from desktop.core.stats.verdict import compute_verdict
from desktop.core.stats.pair_votes import load_pair_votes
from desktop.core.store import append_turn, cast_vote, delete_battle, open_store
from desktop.core.store.judge_verdicts import (
    JudgeVerdict, get_verdict, save_verdict, unjudged_battles,
)
from tests.store.helpers import answer, battle
from tests.verdict.battles import mix, save_blind_votes


def test_a_fresh_database_has_the_judge_table_apart_from_votes():
    store = open_store()
    columns = [r[1] for r in store.conn.execute("PRAGMA table_info(judge_verdicts)")]
    assert columns == ["battle_id", "judge", "verdict", "reply_ab", "reply_ba", "pick_ab",
                       "pick_ba", "cost_usd", "judge_s", "judged_at"]
    rec = battle(store)
    save_verdict(store, JudgeVerdict(rec.id, "openai:gpt-4o", "a", "x [[A]]", "y [[B]]", "a",
                                     "a", 0.001, 1.5))
    assert unjudged_battles(store, "openai:gpt-4o") == []
    assert [b.battle_id for b in unjudged_battles(store, "ollama:qwen3:8b")] == [rec.id]
    assert store.conn.execute("SELECT count(*) FROM votes").fetchone()[0] == 0
    delete_battle(store, rec.id)  # a verdict never outlives its battle
    assert store.conn.execute("SELECT count(*) FROM judge_verdicts").fetchone()[0] == 0


def test_the_question_is_mt_bench_pairwise_in_both_orders_and_multi_turn_is_whole():
    store = open_store()
    rec = battle(store, text_a="Answer from seat a.", text_b="Answer from seat b.")
    ab, ba = question(rec, "a"), question(rec, "b")
    assert ab == ("[User Question]\nSay hi.\n\n[The Start of Assistant A's Answer]\nAnswer from "
                  "seat a.\n[The End of Assistant A's Answer]\n\n[The Start of Assistant B's "
                  "Answer]\nAnswer from seat b.\n[The End of Assistant B's Answer]")
    assert ba.index("seat b.") < ba.index("seat a.")
    assert "[[A]]" in SYSTEM_PROMPT and "[[C]]" in SYSTEM_PROMPT and "impartial" in SYSTEM_PROMPT
    longer = append_turn(store, rec.id, "And in French?", {
        "a": answer("local", "Salut (a)."), "b": answer("openai:gpt-4o-mini", "Bonjour (b).")})
    whole = question(longer, "a")
    for part in ("Say hi.", "And in French?", "Answer from seat a.", "Salut (a).",
                 "Bonjour (b).", "Turn 2"):
        assert part in whole
    assert whole.index("Salut (a).") < whole.index("Bonjour (b).")


def test_replies_are_read_from_the_last_token_and_orders_mapped_back_to_seats():
    assert parse_reply('Format: "[[A]]" ... so my verdict: [[B]]') == "B"
    assert parse_reply("[[C]]") == "tie" and parse_reply("no idea") is None
    # Seat a shown first and picked as A; then shown second and picked as B: consistent.
    assert combine(to_seat("A", "a"), to_seat("B", "b")) == "a"
    assert combine(to_seat("A", "a"), to_seat("A", "b")) == "inconsistent"  # position bias
    assert combine(to_seat("tie", "a"), to_seat("tie", "b")) == "tie"
    assert combine(to_seat(None, "a"), to_seat("A", "b")) == "unparsable"


def test_the_judge_line_exists_only_after_the_vote():
    store = open_store()
    rec = battle(store)
    save_verdict(store, JudgeVerdict(rec.id, "openai:gpt-4o", "b", "", "", "b", "b", 0.0, 0.1))
    assert judge_line_after_vote(store, rec.id) is None  # the judge has seen it: say nothing
    cast_vote(store, rec.id, "a")
    assert judge_line_after_vote(store, rec.id) == (
        "The judge preferred the other answer (openai:gpt-4o).")
    assert judge_line("a", "a", "j") == "The judge agreed (j)."
    assert judge_line("tie", "both_bad", "j") == "The judge agreed (j)."
    assert "changed its mind" in judge_line("inconsistent", "a", "j")
    assert get_verdict(store, rec.id).verdict == "b"


def test_undecided_categories_nearest_a_decision_come_first():
    store = open_store()
    save_blind_votes(store, "coding", mix(230, 50, 15, 5), seed=3)  # decided: better
    save_blind_votes(store, "factual", mix(30, 20), seed=4, start=1000)  # undecided, close-ish
    save_blind_votes(store, "poetry", mix(3, 3), seed=5, start=2000)  # undecided, far
    rows = compute_verdict(load_pair_votes(store)).pairs
    need = {r.category: r.votes_needed for r in rows}
    assert need["factual"] < need["poetry"]
    open_, prop = "local", "openai:gpt-4o-mini"
    waiting = [Remaining(f"{c}-{i}", open_, prop, c)
               for c in ("coding", "poetry", "factual", "travel") for i in range(3)]
    order = [r.category for r in order_remaining(waiting, rows, seed=1)]
    assert order == ["factual"] * 3 + ["poetry"] * 3 + ["travel"] * 3 + ["coding"] * 3
    shuffled = [order_remaining(waiting, rows, seed=s)[0].battle_id for s in range(8)]
    assert len(set(shuffled)) > 1  # random within a category, reproducible by seed
    battle(store, category="poetry")
    assert [r.category for r in next_to_vote(store)] == ["poetry"]


def test_the_vote_command_tells_what_the_judge_said_only_once_voted(capsys):
    from desktop.cli import main

    store = open_store()
    rec = battle(store)
    save_verdict(store, JudgeVerdict(rec.id, "ollama:judge", "a", "", "", "a", "a", 0.0, 0.1))
    assert main(["show", rec.id]) == 0
    assert "judge" not in capsys.readouterr().out.lower()
    assert main(["vote", rec.id, "a"]) == 0
    assert "The judge agreed (ollama:judge)." in capsys.readouterr().out
