"""Prediction-powered inference (PPI++ with power tuning) for the open side's win rate.

Setting: N battles of one pair and category have a judge score f (1 the judge picked the open
answer, 0 the proprietary one, ½ a tie or no consistent verdict); n of them, a random sample,
also have the user's score y (1, 0, ½ for a tie or both bad). The target is the mean of y over
battles like these: the *user's* preference, not the judge's.

Estimator (Angelopoulos, Duchi & Zrnic 2023, for a mean): with u = N − n unvoted battles,

    θ̂ = mean_n(y) − λ·(mean_n(f) − mean_N(f))

which is unbiased for any fixed λ: the judge only corrects the human mean by how far the voted
battles' judge scores sit from all battles' judge scores. Writing c = u/N,

    Var(θ̂) = Var(y − λc·f)/n + (λc)²·Var(f)/u,

minimised by λ = Cov(y, f)/Var(f) (power tuning), estimated on the voted battles (Var(f) on all
N) and clipped to [0, 1]: λ = 0 is the human-only mean, so a useless judge costs little. A
judge that is biased (prefers one side) shifts f for every battle alike, and the correction
removes the shift: bias costs width, never validity.

Small samples: the interval is θ̂ ± t(n−1)·se (Student's t, not the normal 1.96), and the
residual variance is never taken below that of one disagreement in n + 1 votes, so a judge that
happened to agree on every one of a few votes cannot shrink the interval to nothing. Below
`MIN_HUMAN_VOTES` votes the judge is not used at all (the caller keeps the human-only Wilson
interval). tests/verdict/test_ppi_simulation.py checks coverage and width by simulation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from desktop.core.stats.tallies import Z95

MIN_HUMAN_VOTES = 10


@dataclass(frozen=True)
class PPIEstimate:
    estimate: float
    low: float
    high: float
    se: float
    lam: float  # the tuned weight on the judge
    human_votes: int  # n
    judge_votes: int  # N


def t_quantile_975(df: int) -> float:
    """Student's t 97.5 % quantile (Cornish–Fisher expansion; within 0.001 from df = 3)."""
    if df <= 0:
        return math.inf
    z = Z95
    z3, z5, z7, z9 = z ** 3, z ** 5, z ** 7, z ** 9
    return (z + (z3 + z) / (4 * df) + (5 * z5 + 16 * z3 + 3 * z) / (96 * df ** 2)
            + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ** 3)
            + (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / (92160 * df ** 4))


def _mean(xs: list[float]) -> float:
    return sum(xs) / len(xs)


def _var(xs: list[float]) -> float:
    if len(xs) < 2:
        return 0.0
    m = _mean(xs)
    return sum((x - m) ** 2 for x in xs) / (len(xs) - 1)


def _cov(xs: list[float], ys: list[float]) -> float:
    if len(xs) < 2:
        return 0.0
    mx, my = _mean(xs), _mean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / (len(xs) - 1)


def ppi_mean(y: list[float], f_voted: list[float], f_all: list[float]) -> PPIEstimate:
    """The PPI++ estimate and 95 % interval. `f_voted[i]` is the judge's score on the battle
    of `y[i]`; `f_all` holds the judge's score on every judged battle, voted ones included."""
    n, big_n = len(y), len(f_all)
    if n < 2 or len(f_voted) != n or big_n < n:
        raise ValueError("need at least two voted battles, each among the judged ones")
    unvoted = big_n - n
    var_f = _var(f_all)
    lam = 0.0 if var_f <= 0 or unvoted == 0 else min(1.0, max(0.0, _cov(y, f_voted) / var_f))
    c = unvoted / big_n
    estimate = _mean(y) - lam * (_mean(f_voted) - _mean(f_all))
    residual = [yi - lam * c * fi for yi, fi in zip(y, f_voted)]
    var_r = max(_var(residual), n / (n + 1) ** 2)
    jack_var, jack_mean = _jackknife(y, f_voted, f_all, var_f) if lam > 0 else (0.0, estimate)
    # Tuning λ on the same votes biases the estimate by O(1/n); the jackknife removes that term.
    estimate = n * estimate - (n - 1) * jack_mean
    voted_part = max(var_r / n, jack_var)
    variance = voted_part + ((lam * c) ** 2 * var_f / unvoted if unvoted else 0.0)
    se = math.sqrt(variance)
    half = t_quantile_975(n - 1) * se
    estimate = min(1.0, max(0.0, estimate))
    return PPIEstimate(estimate, max(0.0, estimate - half), min(1.0, estimate + half), se, lam,
                       n, big_n)


def _tuned(y: list[float], f: list[float], var_f: float, unvoted: int) -> float:
    return min(1.0, max(0.0, _cov(y, f) / var_f)) if var_f > 0 and unvoted else 0.0


def _jackknife(y: list[float], f_voted: list[float], f_all: list[float], var_f: float) -> tuple[float, float]:
    """Leave-one-vote-out variance (and mean) of the estimate, λ re-tuned each time: it counts what tuning
    λ on the same few votes adds, which the plug-in formula leaves out. O(n) with running sums."""
    n, big_n = len(y), len(f_all)
    sy, sf, syf = sum(y), sum(f_voted), sum(a * b for a, b in zip(y, f_voted))
    total_f = sum(f_all)
    out = []
    m = n - 1
    for yi, fi in zip(y, f_voted):
        my, mf = (sy - yi) / m, (sf - fi) / m
        cov = ((syf - yi * fi) - m * my * mf) / (m - 1)
        lam = min(1.0, max(0.0, cov / var_f)) if var_f > 0 else 0.0
        out.append(my - lam * (mf - (total_f - fi) / (big_n - 1)))
    mean = sum(out) / n
    return (n - 1) / n * sum((t - mean) ** 2 for t in out), mean


def half_width_at(est: PPIEstimate, votes: int) -> float:
    """The half-width expected with `votes` human votes, the judge's part staying as it is:
    the human term shrinks as 1/√votes (more battles judged alongside keep u/N as now)."""
    return t_quantile_975(votes - 1) * est.se * math.sqrt(est.human_votes / votes)
