"""Position bias: does the answer shown first (A, on the left) win more often than it should?

Counted over decisive votes only (A or B wins): with no bias A's share is 50 %. The Wilson 95 %
interval says whether a departure could be chance. Every counted vote takes part, including a
contender against itself, which is the purest test of position bias.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from desktop.core.contenders.choices import A_WINS, B_WINS, BOTH_BAD, TIE
from desktop.core.stats.tallies import wilson_interval


@dataclass
class PositionBias:
    votes: int
    a_wins: int
    b_wins: int
    ties: int
    both_bad: int
    a_share: float | None  # A wins / (A wins + B wins); None without decisive votes
    a_share_low: float | None
    a_share_high: float | None

    def to_dict(self) -> dict:
        return asdict(self)


def position_bias(outcome: np.ndarray, weight: np.ndarray | None = None) -> PositionBias:
    """Over votes whose A was really shown first (the caller leaves imported votes out)."""
    outcome = np.asarray(outcome)
    counts = (np.rint(np.bincount(outcome, weights=weight, minlength=4)).astype(int)
              if len(outcome) else np.zeros(4, dtype=int))
    a_wins, b_wins = int(counts[A_WINS]), int(counts[B_WINS])
    decisive = a_wins + b_wins
    share = low = high = None
    if decisive:
        share = a_wins / decisive
        lo, hi = wilson_interval(a_wins, decisive)
        low, high = float(lo), float(hi)
    return PositionBias(
        votes=int(counts.sum()), a_wins=a_wins, b_wins=b_wins, ties=int(counts[TIE]),
        both_bad=int(counts[BOTH_BAD]), a_share=share, a_share_low=low, a_share_high=high,
    )
