"""The verdict with a judge (`verdict --judge SPEC`): each row's win rate and interval from
prediction-powered inference (desktop/core/stats/ppi.py) over that pair and category's judged
battles, the user's votes on n of them and the judge's verdicts on all N.

A row uses the judge only when at least `ppi.MIN_HUMAN_VOTES` of its counted votes fall on
battles the judge has judged and some judged battles have no vote (otherwise the judge adds
nothing); then `open_win_rate`, `ci_low`, `ci_high`, `decision` and `votes_needed` are the judged
ones, and `judge` names the judge. The counts (`votes`, `open_wins`, ...) stay the user's own.
Votes on battles the judge has not judged are not in the estimate (`human_votes` says how many
are): the method needs the voted battles to be a sample of the judged ones.
`effective_votes` is how many votes alone would give a Wilson interval as narrow.
"""

from __future__ import annotations

from desktop.core.judge.data import JudgedBattle, load_judged
from desktop.core.stats.pair_votes import load_source_votes
from desktop.core.stats.ppi import MIN_HUMAN_VOTES, PPIEstimate, half_width_at, ppi_mean
from desktop.core.stats.verdict import (
    ALL, DEFAULT_MARGIN, UNDECIDED, PairVerdict, Verdict, decide, interval, more_votes_until,
    source_verdict,
)
from desktop.core.store.db import Store
from desktop.core.store.judge_verdicts import CONSISTENT


def ppi_votes_needed(est: PPIEstimate, margin: float) -> int | None:
    """More votes that would decide it if the estimate and the judge's help stayed as now."""

    def decided(total: int) -> bool:
        half = half_width_at(est, total)
        return decide(max(0.0, est.estimate - half), min(1.0, est.estimate + half),
                      margin) != UNDECIDED

    return more_votes_until(decided, est.human_votes)


def _row_battles(row: PairVerdict, rows: list[JudgedBattle]) -> list[JudgedBattle]:
    return [r for r in rows if (r.open, r.proprietary) == (row.open, row.proprietary)
            and (row.category == ALL or r.category.lower() == row.category.lower())]


def apply_judge(row: PairVerdict, judged: list[JudgedBattle], judge: str,
                margin: float) -> PairVerdict:
    voted = [r for r in judged if r.human is not None]
    both = [r for r in voted if r.verdict in CONSISTENT]
    agreement = (sum(r.verdict == r.human_pick for r in both) / len(both)) if both else None
    info = {"judge": None, "judge_votes": len(judged), "human_votes": len(voted),
            "agreement": None if agreement is None else round(agreement, 4),
            "effective_votes": len(voted)}
    row.judged = info
    if len(voted) < MIN_HUMAN_VOTES or len(judged) <= len(voted):
        return row
    y = [r.open_score(r.human_pick) for r in voted]
    est = ppi_mean(y, [r.open_score(r.verdict) for r in voted],
                   [r.open_score(r.verdict) for r in judged])
    wilson_low, wilson_high = interval(sum(y), len(y))
    width = est.high - est.low
    info["judge"] = judge
    info["effective_votes"] = (round(len(y) * ((wilson_high - wilson_low) / width) ** 2)
                               if width > 0 else len(y))
    row.open_win_rate, row.ci_low, row.ci_high = est.estimate, est.low, est.high
    row.decision = decide(est.low, est.high, margin)
    row.votes_needed = ppi_votes_needed(est, margin) if row.decision == UNDECIDED else None
    return row


def judged_verdict(verdict: Verdict, rows: list[JudgedBattle], judge: str) -> Verdict:
    """`verdict` (the user's own) with each row re-estimated with `judge` where it can be."""
    mine = [r for r in rows if r.judge == judge and r.open_seat]
    for row in verdict.pairs:
        apply_judge(row, _row_battles(row, mine), judge, verdict.margin)
    verdict.judge = judge
    return verdict


def verdict_with_judge(store: Store, judge: str, *, margin: float = DEFAULT_MARGIN,
                       category: str | None = None, include_leaks: bool = False,
                       include_named: bool = False) -> Verdict:
    """The user's own verdict, each row re-estimated with `judge` where it can be (the Verdict
    tab and the report use this; the CLI builds the same from its own arguments)."""
    loaded = load_source_votes(store, "own", include_leaks=include_leaks,
                               include_named=include_named)
    verdict = source_verdict(loaded, category, margin)
    judged = load_judged(store, judge, include_leaks=include_leaks, include_named=include_named)
    return judged_verdict(verdict, judged, judge)
