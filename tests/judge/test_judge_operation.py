"""The judge operation (desktop/core/operations/judging.py), which `sidebyside judge` and the
window's background judge both run: it says the judge's verdicts changed when it saved some,
and nothing when there was nothing left to judge. The judge is a real HTTP server on loopback."""

from __future__ import annotations

from desktop.core.battle.specs import make_contender
from desktop.core.operations.changes import NOTHING, Changes
from desktop.core.operations.judging import judge
from desktop.core.store import open_store
from desktop.core.store.judge_verdicts import get_verdict, unjudged_battles
from tests.judge.test_judge_cli import judge_replies, populate


def test_judging_changes_the_judge_verdicts_and_a_second_run_changes_nothing(fake_server):
    fake_server.responder = judge_replies
    ids = populate(n_battles=3, n_votes=3)
    contender = make_contender(fake_server.compat_spec("longer"))
    store = open_store()
    try:
        done = judge(store, contender, unjudged_battles(store, contender.spec))
        assert len(done.value.judged) == 3 and done.changes == Changes(judge=True)
        assert all(get_verdict(store, battle_id, contender.spec) is not None for battle_id in ids)
        again = judge(store, contender, unjudged_battles(store, contender.spec))
        assert again.value.asked == 0 and again.changes == NOTHING
    finally:
        contender.close()
        store.close()
