"""The review queue and session (Qt-free), and `sidebyside review` in a real process.
These tests do not require Qt."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from desktop.core.contenders.answer import FINISH_ERROR, Answer
from desktop.core.base.errors import ErrorInfo
from desktop.core.battle.review import ReviewFilter, ReviewSession, queue_rows, review_queue
from desktop.core.store import open_store
from desktop.core.store.battles import make_record, save_battle
from desktop.core.store.judge_verdicts import JudgeVerdict, save_verdict
from desktop.core.store.votes import cast_vote


def _answer(spec: str, text: str, failed: bool = False) -> Answer:
    provider = spec.partition(":")[0]
    answer = Answer(contender=spec, provider=provider, kind="open", model=spec, text=text,
                    finish_reason="stop", output_tokens=3, ttft_s=0.1, total_s=0.5)
    if failed:
        answer.finish_reason, answer.error = FINISH_ERROR, ErrorInfo("server", "It failed.")
    return answer


@pytest.fixture
def store(tmp_path):
    store = open_store(tmp_path / "review.db")
    yield store
    store.close()


def _battle(store, n: int, *, mode="blind", a_slot="left", category="coding",
            left="local", right="openai:gpt-4o-mini", failed=False):
    seats = {"left": _answer(left, f"left {n}"), "right": _answer(right, f"right {n}", failed)}
    b_slot = "right" if a_slot == "left" else "left"
    record = make_record(f"Prompt {n}", seats[a_slot], seats[b_slot], mode=mode, a_slot=a_slot,
                         category=category, params={})
    return save_battle(store, record)


def test_queue_is_oldest_first_without_voted_or_failed_battles(store):
    ids = [_battle(store, n).id for n in range(4)]
    failed = _battle(store, 9, failed=True)
    cast_vote(store, ids[1], "a")
    assert review_queue(store) == [ids[0], ids[2], ids[3]]
    assert failed.id not in review_queue(store)
    other = _battle(store, 5, category="writing", right="anthropic:claude-haiku")
    assert review_queue(store, ReviewFilter(category="writing")) == [other.id]
    pair = ReviewFilter(pair=("anthropic:claude-haiku", "local"))  # either order
    assert review_queue(store, pair) == [other.id]


def test_list_hides_a_blind_pair_and_shows_a_named_one(store):
    blind = _battle(store, 1, a_slot="right")
    named = _battle(store, 2, mode="named", a_slot="left")
    rows = {row.battle_id: row for row in queue_rows(store)}
    assert rows[blind.id].pair is None
    assert rows[named.id].pair == ["local", "openai:gpt-4o-mini"]
    assert rows[blind.id].prompt == "Prompt 1" and rows[blind.id].category == "coding"


def test_votes_count_reveal_and_undo(store):
    ids = [_battle(store, n, a_slot="right" if n % 2 else "left").id for n in range(3)]
    session = ReviewSession(store)
    first = session.current()
    result = session.vote(first.id, "a")
    assert result.count == "1 of 3 reviewed"
    assert result.reveal.startswith("A was local") and "(you chose A)" in result.reveal
    assert result.receipt.battle.vote.choice == "a"
    second = session.current()
    assert second.id == ids[1]
    result = session.vote(second.id, "b")
    assert "A was openai:gpt-4o-mini" in result.reveal  # a_slot right: the remote sat in A
    back = session.undo()
    assert back.id == ids[1] and back.vote is None
    assert session.current().id == ids[1] and session.count == "1 of 3 reviewed"
    assert review_queue(store) == ids[1:]


def test_review_command_lists_and_votes(store, tmp_path):
    ids = [_battle(store, n).id for n in range(2)]
    env = {**os.environ, "SIDEBYSIDE_HOME": str(tmp_path)}
    store.close()
    os.replace(tmp_path / "review.db", tmp_path / "sidebyside.db")

    def review(*args, stdin=""):
        return subprocess.run([sys.executable, "-m", "desktop", "review", *args], input=stdin,
                              capture_output=True, text=True, env=env, timeout=60)

    listed = json.loads(review("--list", "--json").stdout)
    assert listed["count"] == 2 and [b["battle_id"] for b in listed["battles"]] == ids
    assert all(b["pair"] is None for b in listed["battles"])
    run = review(stdin="2\nq\n")
    assert run.returncode == 0, run.stderr
    before_vote = run.stdout.split("A was")[0]
    assert "local" not in before_vote.lower() and "gpt" not in before_vote.lower()
    assert "left 0" in before_vote and "right 0" in before_vote
    assert "(you chose B). 1 of 2 reviewed" in run.stdout
    assert json.loads(review("--list", "--json").stdout)["count"] == 1


def test_a_reviewed_batch_battle_counts_like_a_compare_one(store):
    """Item 4: a batch battle voted in Review counts in the leaderboard and in starter-set
    progress exactly as a battle voted in Compare (the same votes row)."""
    from desktop.core.battle.batch import BatchPlan, register, save_batch_battle
    from desktop.core.prompts.starter_sets import find_starter, progress_of
    from desktop.core.stats.results import compute_all

    starter = find_starter("coding-help")
    prompts = [(item.prompt, item.category) for item in starter.items()[:3]]
    plan = BatchPlan(starter.name, f"promptset:{starter.name}", prompts, "local",
                     "openai:gpt-4o-mini", blind=True)
    register(store, plan)
    for item in plan.items():
        record = make_record(item.prompt, _answer("local", "l"),
                             _answer("openai:gpt-4o-mini", "r"), mode="blind", a_slot="left",
                             category=item.category, params={})
        save_batch_battle(store, plan, item, record)
    compare = make_record(prompts[2][0], _answer("openai:gpt-4o-mini", "r"), _answer("local", "l"),
                          mode="blind", a_slot="right", category="coding", params={})
    save_battle(store, compare)
    cast_vote(store, compare.id, "b")  # from Compare: the local model won

    pair = ("local", "openai:gpt-4o-mini")
    assert progress_of(store, starter, pair).done == 1
    session = ReviewSession(store, ReviewFilter(set_name=starter.name))
    assert session.total == 3  # the Compare battle is in no batch
    for _ in range(2):
        record = session.current()
        session.vote(record.id, "a")  # seat A: the local model (a_slot left)
    assert progress_of(store, starter, pair).done == 3  # prompts 0, 1 by Review, 2 by Compare
    board = compute_all(store)[0]
    assert board.votes == 3
    battles = {c.contender: c.battles for c in board.contenders}
    assert battles == {"local": 3, "openai:gpt-4o-mini": 3}


def test_a_judges_word_comes_with_the_review_vote_never_before(store):
    first = _battle(store, 0)
    save_verdict(store, JudgeVerdict(first.id, "ollama:judge", "b", "", "", "b", "b", 0.0, 0.1))
    session = ReviewSession(store)
    shown = session.current()
    assert shown.id == first.id and shown.vote is None  # on screen: no verdict reachable from it
    result = session.vote(first.id, "b")
    assert result.judge == "The judge agreed (ollama:judge)."
