"""Bradley–Terry ratings as Chatbot Arena computes them, with bootstrap intervals.

Model: for contenders i and j, P(i beats j) = 1 / (1 + 10^((r_j - r_i) / 400)), i.e. the logit is
ln 10 × (r_i − r_j) / 400. Ratings are the maximum-likelihood fit over every pair's outcomes,
reported on Arena's scale (400 points = a factor of 10 in odds) and centred so that their mean is
1000. A tie, and a "both bad", count as half a win for each side (Arena counts a tie as one win
each at half the weight of a decisive vote, which is the same likelihood).

A 100 % record: plain maximum likelihood sends an unbeaten contender to infinity. We add a weak
Gaussian prior on every rating, mean 1000 and standard deviation `PRIOR_SD` = 800 points (an L2
penalty of 1 / σ² in logit units). It keeps every rating finite and the fit unique even when
the contenders split into groups that never met, yet it is weak: with a few hundred votes it
moves a rating by well under a point, while 10 wins out of 10 against one opponent gives a gap
of about 790 points and 100 of 100 about 1,130 (a penalised gap grows only like the log of the
record). Because the prior is symmetric the penalised fit has mean exactly 1000.

Speed: votes are first aggregated into a matrix W[i, j] = points i scored against j, so a fit
costs O(k³) per Newton step however many votes there are; every function takes an optional
`weight` per entry so that already-aggregated counts (an imported source of millions of votes
is stored that way) go in as they are. The bootstrap resamples votes with replacement, as Arena
does, but by drawing the counts of each distinct (pair, outcome) cell from a multinomial: the
same distribution as resampling 1.67 million rows, at the cost of at most 3 × k(k−1)/2 cells.
All rounds are fitted at once as a batch of k × k Newton systems, warm-started from the fit to
all votes. Unlike FastChat's `compute_bt` (scikit-learn's logistic regression with tol 1e-6,
which on Arena data stops up to about a rating point short), Newton runs to a 1e-10 step.
"""

from __future__ import annotations

import math

import numpy as np

from desktop.core.contenders.choices import A_WINS, B_WINS

SCALE = 400.0
BASE = 10.0
CENTRE = 1000.0
PRIOR_SD = 800.0  # rating points; see the module docstring
ROUNDS = 100
SEED = 20240501
_LOG_BASE = math.log(BASE)


def _penalty() -> float:
    sd_logit = PRIOR_SD * _LOG_BASE / SCALE
    return 1.0 / (sd_logit * sd_logit)


def _weights(a: np.ndarray, weight: np.ndarray | None) -> np.ndarray:
    return np.ones(len(a)) if weight is None else np.asarray(weight, dtype=float)


def pair_matrix(a: np.ndarray, b: np.ndarray, outcome: np.ndarray, k: int,
                weight: np.ndarray | None = None) -> np.ndarray:
    """W[i, j] = points contender i scored against j (a win 1, a tie or both-bad ½ each).

    `weight` gives how many votes each entry stands for (aggregated counts); default one each."""
    a, b, outcome = np.asarray(a), np.asarray(b), np.asarray(outcome)
    w8 = _weights(a, weight)
    keep = a != b
    a, b, outcome, w8 = a[keep], b[keep], outcome[keep], w8[keep]
    won_a = np.where(outcome == A_WINS, 1.0, np.where(outcome == B_WINS, 0.0, 0.5))
    w = np.bincount(a * k + b, weights=w8 * won_a, minlength=k * k)
    w += np.bincount(b * k + a, weights=w8 * (1.0 - won_a), minlength=k * k)
    return w.reshape(k, k)


def to_beta(ratings: np.ndarray) -> np.ndarray:
    """Ratings back to centred logit units (the inverse of the scale `fit` reports on)."""
    return (np.asarray(ratings, dtype=float) - CENTRE) * _LOG_BASE / SCALE


def fit(w: np.ndarray, penalty: float | None = None, tol: float = 1e-10,
        start: np.ndarray | None = None) -> np.ndarray:
    """Ratings for a pair matrix `w` of shape (k, k), or a batch of shape (r, k, k).

    Newton's method on the penalised log-likelihood, run until the largest step is below `tol`
    logit units (1e-10 ≈ 2e-8 rating points): the fit is converged, not stopped early.
    `start` (ratings, shape (k,)) warm-starts every fit in the batch, which the bootstrap uses:
    resamples sit close to the full-data fit, so Newton needs a few steps instead of a dozen."""
    w = np.asarray(w, dtype=float)
    batched = w.ndim == 3
    if not batched:
        w = w[None]
    r, k, _ = w.shape
    if k == 0:
        return np.zeros((r, 0)) if batched else np.zeros(0)
    lam = _penalty() if penalty is None else penalty
    n = w + np.swapaxes(w, 1, 2)
    scored = w.sum(axis=2)
    beta = np.zeros((r, k)) if start is None else np.tile(to_beta(start), (r, 1))
    diagonal = np.arange(k)
    for _ in range(200):
        # In place where it can be: at 100 rounds × 129² these arrays are 13 MB each.
        p = beta[:, :, None] - beta[:, None, :]
        p *= 0.5
        np.tanh(p, out=p)
        p += 1.0
        p *= 0.5  # the logistic function of the rating gap, without overflow
        c = n * p
        grad = scored - c.sum(axis=2) - lam * beta
        np.subtract(1.0, p, out=p)
        c *= p
        # Minus the Hessian: a weighted graph Laplacian plus the prior; positive definite.
        degree = c.sum(axis=2)
        h = np.negative(c, out=c)
        h[:, diagonal, diagonal] += degree + (lam if lam > 0 else 0.0)
        if lam <= 0:
            h += 1.0 / k  # unpenalised: pin the mean (tests only)
        step = np.linalg.solve(h, grad[..., None])[..., 0]
        biggest = np.abs(step).max(axis=1, keepdims=True)
        step *= np.minimum(1.0, 2.0 / np.maximum(biggest, 1e-300))  # damped for lopsided records
        beta += step
        if biggest.max() < tol:
            break
    beta -= beta.mean(axis=1, keepdims=True)
    ratings = CENTRE + SCALE / _LOG_BASE * beta
    return ratings if batched else ratings[0]


def bootstrap(
    a: np.ndarray, b: np.ndarray, outcome: np.ndarray, k: int, rounds: int = ROUNDS,
    seed: int = SEED, weight: np.ndarray | None = None, start: np.ndarray | None = None,
) -> np.ndarray:
    """Ratings fitted to `rounds` resamples of the votes, shape (rounds, k).

    Resampling N votes with replacement only changes how many times each distinct cell (pair,
    outcome) is drawn, and those counts are multinomial(N, cell shares): that is what is drawn.
    `weight` (votes per entry) lets aggregated rows stand for the votes they count."""
    a, b, outcome = np.asarray(a), np.asarray(b), np.asarray(outcome)
    w8 = _weights(a, weight)
    keep = (a != b) & (w8 > 0)
    a, b, outcome, w8 = a[keep], b[keep], outcome[keep], w8[keep]
    total = int(round(w8.sum()))
    if total == 0 or rounds <= 0:
        return np.full((max(rounds, 0), k), CENTRE)
    # Orient each vote as (low index, high index, result for the low one): 0 win, 1 loss, 2 draw.
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    low_won = np.where(a == lo, outcome == A_WINS, outcome == B_WINS)
    low_lost = np.where(a == lo, outcome == B_WINS, outcome == A_WINS)
    result = np.where(low_won, 0, np.where(low_lost, 1, 2))
    counts = np.bincount((lo * k + hi) * 3 + result, weights=w8, minlength=k * k * 3)
    cells = np.flatnonzero(counts)
    counts = counts[cells]
    rng = np.random.default_rng(seed)
    drawn = rng.multinomial(total, counts / counts.sum(), size=rounds).astype(float)  # (r, m)
    pair, res = cells // 3, cells % 3
    i, j = pair // k, pair % k
    flat = np.zeros((rounds, k * k))
    # Within one result the pairs are distinct, so plain fancy-index addition is exact.
    for code, into_ij in ((0, 1.0), (1, 0.0), (2, 0.5)):
        sel = res == code
        if sel.any():
            flat[:, i[sel] * k + j[sel]] += drawn[:, sel] * into_ij
            flat[:, j[sel] * k + i[sel]] += drawn[:, sel] * (1.0 - into_ij)
    return fit(flat.reshape(rounds, k, k), start=start)


def ratings_with_intervals(
    a: np.ndarray, b: np.ndarray, outcome: np.ndarray, k: int, rounds: int = ROUNDS,
    seed: int = SEED, weight: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rating, low, high): the fit to all votes and the 2.5–97.5 percentiles of the bootstrap.

    The interval is widened, if need be, to contain the estimate (a percentile interval can
    miss it by a hair when the bootstrap distribution is skewed)."""
    estimate = fit(pair_matrix(a, b, outcome, k, weight))
    boots = bootstrap(a, b, outcome, k, rounds, seed, weight, start=estimate)
    if len(boots) == 0:
        return estimate, estimate.copy(), estimate.copy()
    low, high = np.percentile(boots, [2.5, 97.5], axis=0)
    return estimate, np.minimum(low, estimate), np.maximum(high, estimate)


def win_probability(r_i: float, r_j: float) -> float:
    return 1.0 / (1.0 + BASE ** ((r_j - r_i) / SCALE))
