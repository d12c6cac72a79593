"""The judge's word on a battle, for after the user's own vote and never before.

`judge_line_after_vote` returns None for a battle without a vote, whatever a judge said: the
window (Compare, Review) asks for it only once the vote is recorded, and this function holds
the rule a second time so a face that asks too early still shows nothing. A battle judged by
several judges shows the most recent verdict.
"""

from __future__ import annotations

from desktop.core.store.battles import get_battle
from desktop.core.store.db import Store
from desktop.core.store.judge_verdicts import get_verdict

AGREED = "The judge agreed"
DISAGREED = "The judge preferred the other answer"


def judge_line_after_vote(store: Store, battle_id: str, judge: str | None = None) -> str | None:
    """One line comparing the judge's verdict with the user's vote; None before the vote or
    when no judge has seen the battle."""
    record = get_battle(store, battle_id)
    if record is None or record.vote is None:
        return None
    verdict = get_verdict(store, battle_id, judge)
    if verdict is None:
        return None
    return judge_line(verdict.verdict, record.vote.choice, verdict.judge)


def judge_line(verdict: str, choice: str, judge: str) -> str:
    """The line for a judge `verdict` (a, b, tie, inconsistent, unparsable) against the user's
    `choice` (a, b, tie, both_bad)."""
    mine = "tie" if choice == "both_bad" else choice
    who = f" ({judge})"
    if verdict == "inconsistent":
        return f"The judge{who} could not decide: asked in both orders, it changed its mind."
    if verdict == "unparsable":
        return f"The judge{who} gave no verdict."
    if verdict == mine:
        return f"{AGREED}{who}."
    if verdict == "tie":
        return f"The judge{who} called it a tie."
    if mine == "tie":
        return f"The judge{who} preferred {verdict.upper()}."
    return f"{DISAGREED}{who}."
