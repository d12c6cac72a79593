"""The verdict per category: decisions from battles with a known truth, the interval, the votes
still needed, cost and speed, and the command line."""

from __future__ import annotations

import json

import pytest

from desktop.cli import main
from desktop.core.stats.pair_votes import load_pair_votes
from desktop.core.stats.tallies import wilson_interval
from desktop.core.stats.verdict import (
    AS_GOOD, BETTER, UNDECIDED, WORSE, compute_verdict, decide, votes_needed,
)
from desktop.core.store import cast_vote, make_record, save_battle
from tests.verdict.battles import (
    OPEN, PROPRIETARY, mix, open_answer, proprietary_answer, save_blind_votes,
)

PAIR_KEYS = ["open", "proprietary", "category", "votes", "open_wins", "proprietary_wins", "ties",
             "both_bad", "open_win_rate", "ci_low", "ci_high", "decision", "votes_needed",
             "cost_per_1000", "ttft_s", "tokens_per_s"]


def known_truth(store) -> None:
    """Four categories whose answer is known in advance."""
    # As good: the open side wins exactly as often as it loses over 300 votes.
    save_blind_votes(store, "summarization", mix(120, 120, 40, 20), seed=1)
    # Worse: the open side mostly loses.
    save_blind_votes(store, "multi-step reasoning", mix(60, 220, 15, 5), seed=2, start=1000)
    # Better: the open side mostly wins.
    save_blind_votes(store, "coding", mix(230, 50, 15, 5), seed=3, start=2000)
    # Undecided: a handful of votes, cast one by one as a user would.
    for n, winner in enumerate(["open", "open", "proprietary", "open", "tie"]):
        o, p = open_answer(), proprietary_answer()
        a, b = (o, p) if n % 2 else (p, o)
        rec = save_battle(store, make_record(f"fact {n}", a, b, mode="blind", category="factual"))
        choice = "tie" if winner == "tie" else ("a" if (winner == "open") == bool(n % 2) else "b")
        cast_vote(store, rec.id, choice)


def test_known_truth_gives_as_good_worse_better_and_undecided(store):
    known_truth(store)
    verdict = compute_verdict(load_pair_votes(store))
    rows = {p.category: p for p in verdict.pairs}
    assert [p.category for p in verdict.pairs] == [
        "all", "coding", "factual", "multi-step reasoning", "summarization"]
    assert all((p.open, p.proprietary) == (OPEN, PROPRIETARY) for p in verdict.pairs)

    even = rows["summarization"]
    assert (even.votes, even.open_wins, even.proprietary_wins, even.ties, even.both_bad) == (
        300, 120, 120, 40, 20)
    assert even.open_win_rate == pytest.approx(0.5)
    assert 0.4 < even.ci_low < 0.5 < even.ci_high < 0.6
    assert even.decision == AS_GOOD and even.votes_needed is None

    losing = rows["multi-step reasoning"]
    assert losing.open_win_rate == pytest.approx((60 + 10) / 300)
    assert losing.ci_high < 0.5 and losing.decision == WORSE

    winning = rows["coding"]
    assert winning.open_win_rate == pytest.approx((230 + 10) / 300)
    assert winning.ci_low > 0.5 and winning.decision == BETTER

    few = rows["factual"]
    assert (few.votes, few.open_wins, few.proprietary_wins, few.ties) == (5, 3, 1, 1)
    assert few.decision == UNDECIDED
    assert few.votes_needed is not None and few.votes_needed > 0
    # At the observed rate (70 %), the interval clears 50 % after exactly that many votes.
    total = few.votes + few.votes_needed
    assert decide(*map(float, wilson_interval(0.7 * total, total)), 0.10) == BETTER
    assert decide(*map(float, wilson_interval(0.7 * (total - 1), total - 1)), 0.10) == UNDECIDED

    overall = rows["all"]
    assert overall.votes == 905
    assert overall.open_wins == 120 + 60 + 230 + 3

    # Interval: Wilson on the half-counted score.
    low, high = wilson_interval(230 + (15 + 5) / 2, 300)
    assert (winning.ci_low, winning.ci_high) == pytest.approx((float(low), float(high)))


def test_margin_changes_the_decision_and_filters(store):
    save_blind_votes(store, "summarization", mix(150, 110, 30, 10), seed=4)
    wide = compute_verdict(load_pair_votes(store), "summarization", margin=0.15)
    narrow = compute_verdict(load_pair_votes(store), "summarization", margin=0.02)
    assert [p.category for p in wide.pairs] == ["summarization"]
    assert wide.pairs[0].decision == AS_GOOD
    assert narrow.pairs[0].decision == BETTER  # 56.7 %, interval above 50 %, wider than ±2
    only_all = compute_verdict(load_pair_votes(store), "all")
    assert [p.category for p in only_all.pairs] == ["all"]


def test_votes_needed_is_the_first_count_that_decides():
    # An even split decides "as good" once Wilson's half-width at 50 % is at most 10 points:
    # 93 votes in all (the cruder ±1.96·√(¼/n) would say 97), so 83 more than 10.
    assert votes_needed(0.5, 10, 0.10) == 83
    needed = votes_needed(0.5, 10, 0.10)
    n = 10 + needed
    assert decide(*map(float, wilson_interval(0.5 * n, n)), 0.10) == AS_GOOD
    assert decide(*map(float, wilson_interval(0.5 * (n - 1), n - 1)), 0.10) == UNDECIDED
    assert votes_needed(0.5, 10, 0.0) is None  # exactly even with no margin: never decided
    assert votes_needed(0.9, 400, 0.10) == 0


def test_named_votes_leaks_and_same_kind_battles_are_left_out(store):
    save_blind_votes(store, "coding", mix(10, 10), seed=5)
    save_blind_votes(store, "coding", mix(30, 0), seed=6, mode="named", start=100)
    leaky = save_battle(store, make_record("who?", open_answer("I am ChatGPT."),
                                           proprietary_answer(), mode="blind", category="coding"))
    cast_vote(store, leaky.id, "a")
    both_open = save_battle(store, make_record("x", open_answer(), open_answer(), mode="blind"))
    cast_vote(store, both_open.id, "a")
    assert compute_verdict(load_pair_votes(store)).pairs[0].votes == 20
    assert compute_verdict(load_pair_votes(store, include_named=True)).pairs[0].votes == 50
    assert compute_verdict(load_pair_votes(store, include_leaks=True)).pairs[0].votes == 21


def test_cost_and_speed_per_side(store):
    save_blind_votes(store, "coding", mix(5, 5), seed=7)
    row = compute_verdict(load_pair_votes(store)).pairs[0]
    # gpt-4o-mini at $0.15 / $0.60 per million tokens, 20 in and 100 out per answer.
    assert row.cost_per_1000["proprietary"] == pytest.approx(1000 * (20 * 0.15 + 100 * 0.6) / 1e6)
    assert row.cost_per_1000["open"] == 0.0
    assert row.ttft_s == {"open": pytest.approx(0.2), "proprietary": pytest.approx(0.6)}
    assert row.tokens_per_s == {"open": pytest.approx(40.0), "proprietary": pytest.approx(80.0)}


def test_cli_end_to_end_json_and_table(store, capsys):
    assert main(["verdict"]) == 0
    assert "No blind votes between an open and a proprietary model" in capsys.readouterr().out
    known_truth(store)
    assert main(["verdict", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data) == ["margin", "pairs"] and data["margin"] == 0.1
    assert all(list(p) == PAIR_KEYS for p in data["pairs"])
    decisions = {p["category"]: (p["decision"], p["votes_needed"]) for p in data["pairs"]}
    assert decisions["summarization"] == ("as_good", None)
    assert decisions["multi-step reasoning"] == ("worse", None)
    assert decisions["coding"] == ("better", None)
    assert decisions["factual"][0] == "undecided" and decisions["factual"][1] > 0
    assert set(data["pairs"][0]["cost_per_1000"]) == {"open", "proprietary"}

    assert main(["verdict", "--category", "Coding", "--margin", "25", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["margin"] == 0.25 and [p["category"] for p in data["pairs"]] == ["coding"]

    assert main(["verdict"]) == 0
    out = capsys.readouterr().out
    assert "as good" in out and "worse" in out and "better" in out and "more votes" in out
    assert "summarization" in out and "docs/verdict.md" in out

    assert main(["verdict", "--category", "poetry"]) == 1
    err = capsys.readouterr().err
    assert "No open-vs-proprietary votes in the category 'poetry'" in err and "coding" in err
    with pytest.raises(SystemExit) as exit_:
        main(["verdict", "--margin", "60"])
    assert exit_.value.code == 2
    assert "below 50 points" in capsys.readouterr().err
