"""The judge operation: a model judge gives its verdicts on battles (kept apart from votes)."""

from __future__ import annotations

from collections.abc import Callable

from desktop.core.contenders.base import CancelToken, Contender
from desktop.core.judge.runner import JudgeSummary, judge_battles
from desktop.core.operations.changes import NOTHING, Changes, Done
from desktop.core.store.db import Store
from desktop.core.store.judge_verdicts import BattleToJudge

JUDGED = Changes(judge=True)


def judge(store: Store, contender: Contender, battles: list[BattleToJudge], *,
          max_cost: float | None = None, cancel: CancelToken | None = None,
          progress: Callable | None = None) -> Done[JudgeSummary]:
    """Judge `battles` in order, each verdict saved at once. Raises JudgeFailed (the verdicts
    saved before it stay: run again to carry on)."""
    summary = judge_battles(store, contender, battles, max_cost=max_cost, cancel=cancel,
                            progress=progress or (lambda done, total, verdict: None))
    return Done(summary, JUDGED if summary.judged else NOTHING)
