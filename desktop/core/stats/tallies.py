"""Per-contender counts and win rates with Wilson 95 % intervals.

A tie and a "both bad" each count as half a win for both sides, as in Chatbot Arena. A battle
between a contender and itself says nothing about it and is left out here (it still counts for
position bias).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# The outcome codes are the vote table's (desktop/core/contenders/choices.py).
from desktop.core.contenders.choices import A_WINS, B_WINS, BOTH_BAD, TIE

Z95 = 1.959963984540054


@dataclass
class Tallies:
    battles: np.ndarray
    wins: np.ndarray
    losses: np.ndarray
    ties: np.ndarray
    both_bad: np.ndarray
    win_rate: np.ndarray
    win_rate_low: np.ndarray
    win_rate_high: np.ndarray


def wilson_interval(successes, n, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval; `successes` may be fractional (half-wins). n == 0 gives (0, 1)."""
    s = np.asarray(successes, dtype=float)
    n = np.asarray(n, dtype=float)
    safe_n = np.where(n > 0, n, 1.0)
    p = s / safe_n
    z2 = z * z
    denom = 1.0 + z2 / safe_n
    centre = (p + z2 / (2 * safe_n)) / denom
    half = z * np.sqrt(np.maximum(p * (1 - p) / safe_n + z2 / (4 * safe_n * safe_n), 0.0)) / denom
    low = np.where(n > 0, np.clip(centre - half, 0.0, 1.0), 0.0)
    high = np.where(n > 0, np.clip(centre + half, 0.0, 1.0), 1.0)
    # Rounding must never put the estimate outside its own interval.
    p = np.where(n > 0, p, 0.5)
    return np.minimum(low, p), np.maximum(high, p)


def tally(a: np.ndarray, b: np.ndarray, outcome: np.ndarray, k: int,
          weight: np.ndarray | None = None) -> Tallies:
    """Counts per contender; `weight` says how many votes each entry stands for (default 1)."""
    a = np.asarray(a)
    b = np.asarray(b)
    outcome = np.asarray(outcome)
    w = np.ones(len(a), dtype=np.int64) if weight is None else np.asarray(weight, dtype=np.int64)
    keep = a != b
    a, b, outcome, w = a[keep], b[keep], outcome[keep], w[keep]

    def count(idx: np.ndarray, sel: np.ndarray | None = None) -> np.ndarray:
        weights = w if sel is None else w[sel]
        return np.rint(np.bincount(idx, weights=weights, minlength=k)).astype(np.int64)

    battles = count(a) + count(b)
    wins = count(a[outcome == A_WINS], outcome == A_WINS) + count(b[outcome == B_WINS],
                                                                outcome == B_WINS)
    losses = count(a[outcome == B_WINS], outcome == B_WINS) + count(b[outcome == A_WINS],
                                                                  outcome == A_WINS)
    ties = count(a[outcome == TIE], outcome == TIE) + count(b[outcome == TIE], outcome == TIE)
    both_bad = (count(a[outcome == BOTH_BAD], outcome == BOTH_BAD)
                + count(b[outcome == BOTH_BAD], outcome == BOTH_BAD))
    score = wins + 0.5 * (ties + both_bad)
    rate = np.where(battles > 0, score / np.maximum(battles, 1), np.nan)
    low, high = wilson_interval(score, battles)
    return Tallies(battles, wins, losses, ties, both_bad, rate, low, high)
