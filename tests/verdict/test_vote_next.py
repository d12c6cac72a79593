"""Review and `batch` in the order of "What to vote next" (docs/verdict.md): the undecided
categories nearest a decision first, decided ones last, a seeded shuffle within a category."""

from __future__ import annotations

import json

import pytest

from desktop.cli import main
from desktop.core.battle.review import ReviewFilter, ReviewSession, review_queue
from tests.verdict.battles import decided_and_near, waiting


def listed(capsys, *args: str) -> list[dict]:
    capsys.readouterr()
    assert main(["review", "--list", "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)["battles"]


def test_review_list_order_next_puts_the_nearest_decision_first(store, capsys):
    decided_and_near(store)
    ids = waiting(store)
    oldest = listed(capsys)
    assert [b["category"] for b in oldest] == ["coding"] * 4 + ["writing"] * 2 + ["factual"] * 6
    nearest = listed(capsys, "--order", "next")
    assert [b["category"] for b in nearest] == ["factual"] * 6 + ["writing"] * 2 + ["coding"] * 4
    assert sorted(b["battle_id"] for b in nearest[:6]) == sorted(ids["factual"])
    assert all(b["pair"] is None for b in nearest)  # still blind: no side named before its vote
    # The terminal review walks the same order.
    session = ReviewSession(store, ReviewFilter(order="next"))
    assert session.ids == [b["battle_id"] for b in nearest]
    assert session.current().category == "factual"


def test_within_a_category_a_shuffle_stable_for_the_same_seed(store, capsys):
    decided_and_near(store)
    ids = waiting(store)
    first = [b["battle_id"] for b in listed(capsys, "--order", "next", "--seed", "7")]
    assert first == [b["battle_id"] for b in listed(capsys, "--order", "next", "--seed", "7")]
    orders = {tuple(review_queue(store, ReviewFilter(order="next", seed=seed))[:6])
              for seed in range(8)}
    assert all(sorted(o) == sorted(ids["factual"]) for o in orders)
    assert len(orders) > 1  # the seed shuffles the battles of a category


def test_order_next_keeps_the_filters(store, capsys):
    decided_and_near(store)
    ids = waiting(store)
    only = listed(capsys, "--order", "next", "--category", "coding")
    assert sorted(b["battle_id"] for b in only) == sorted(ids["coding"])


def test_a_bad_order_is_a_plain_usage_error(store, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["review", "--list", "--order", "soonest"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'soonest'" in err and "Traceback" not in err
