"""Ratings from imported pair counts against an independent fit. These tests do not require Qt.

The data is synthetic with a known truth (no public Arena release could be committed here): 12
models with known ratings, battles drawn between random pairs, outcomes drawn from the
Bradley–Terry model with ties. It goes through the real path: a CSV in Arena's shape,
`sidebyside import`, `sidebyside leaderboard --source NAME --json`.

The independent reference is written here from the definition, on the unaggregated battles,
with scipy: the same penalised log-likelihood (a tie is half a win each; the weak prior of
desktop.core.stats.bradley_terry) minimised by L-BFGS to a gradient of 1e-9, and a bootstrap
that resamples battle rows, as Chatbot Arena's does.
"""

from __future__ import annotations

import csv
import json
import math

import numpy as np
import pytest
from scipy.optimize import minimize

from desktop.cli import main
from desktop.core.stats import bradley_terry as bt
from desktop.core.stats.results import load_votes
from desktop.core.store import open_store

K, N, SEED = 12, 24_000, 20251202
TO_POINTS = bt.SCALE / math.log(bt.BASE)
WINNER = {0: "model_a", 1: "model_b", 2: "tie", 3: "tie (bothbad)"}


def synthetic_battles(seed: int = SEED):
    rng = np.random.default_rng(seed)
    truth = rng.normal(1000, 120, K)
    a = rng.integers(0, K, N)
    b = (a + rng.integers(1, K, N)) % K
    p = 1 / (1 + 10 ** ((truth[b] - truth[a]) / 400))
    # Draws (tie or both bad) take up to a fifth of the battles, split so that A's expected
    # share of the point is exactly p: then p is what the half-a-win likelihood estimates.
    t = 0.4 * np.minimum(p, 1 - p)
    u = rng.random(N)
    draw = np.where(rng.random(N) < 0.6, 2, 3)
    outcome = np.where(u < p - t / 2, 0, np.where(u < p + t / 2, draw, 1))
    return truth, a, b, outcome


def independent_fit(a, b, outcome, x0=None, grouped=False) -> np.ndarray:
    """Ratings maximising the penalised likelihood over individual battles (scipy).

    `grouped` sums the identical battles' terms first (the same objective, fewer terms: the
    bootstrap below fits 200 resamples with it)."""
    m = np.ones(len(a))
    if grouped:
        cells, m = np.unique((a * K + b) * 4 + outcome, return_counts=True)
        a, b, outcome = cells // 4 // K, cells // 4 % K, cells % 4
    y = np.where(outcome == 0, 1.0, np.where(outcome == 1, 0.0, 0.5))  # A's share of the point
    lam = bt._penalty()

    def loss(beta):
        d = beta[a] - beta[b]
        # -[y log σ(d) + (1-y) log σ(-d)] per battle, written stably
        nll = np.sum(m * (np.logaddexp(0, -d) * y + np.logaddexp(0, d) * (1 - y)))
        g_d = -m * (y - 1 / (1 + np.exp(-d)))
        grad = np.bincount(a, g_d, K) - np.bincount(b, g_d, K) + lam * beta
        return nll + 0.5 * lam * beta @ beta, grad

    start = np.zeros(K) if x0 is None else x0
    res = minimize(loss, start, jac=True, method="L-BFGS-B",
                   options={"gtol": 1e-9, "ftol": 1e-15, "maxiter": 10_000})
    # The curvature is about (battles per model) / 4, over 500 here, so a gradient under 1e-4
    # leaves each rating within 1e-7 logits (2e-5 points) of the optimum.
    assert np.abs(res.jac).max() < 1e-4, res.message
    beta = res.x - res.x.mean()
    return bt.CENTRE + TO_POINTS * beta


@pytest.fixture
def imported(tmp_path, capsys):
    truth, a, b, outcome = synthetic_battles()
    path = tmp_path / "synthetic_arena.csv"
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["question_id", "model_a", "model_b", "winner", "tstamp"])
        for n in range(N):
            w.writerow([f"b{n:06d}", f"model-{a[n]:02d}", f"model-{b[n]:02d}",
                        WINNER[int(outcome[n])], 1.7e9 + n])
    assert main(["import", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["added"] == N
    return truth, a, b, outcome


def test_leaderboard_ratings_equal_an_independent_converged_fit(imported, capsys):
    truth, a, b, outcome = imported
    assert main(["leaderboard", "--source", "synthetic_arena", "--json"]) == 0
    board = json.loads(capsys.readouterr().out)
    ours = {c["contender"]: c["rating"] for c in board["contenders"]}
    reference = independent_fit(a, b, outcome)
    for m in range(K):
        assert ours[f"model-{m:02d}"] == pytest.approx(reference[m], abs=0.05)
    # And the known truth is recovered, within what 24,000 battles allow.
    centred_truth = truth - truth.mean() + 1000
    errors = [ours[f"model-{m:02d}"] - centred_truth[m] for m in range(K)]
    assert np.abs(errors).max() < 40
    assert board["votes"] == N and board["position_bias"]["votes"] == 0


def test_bootstrap_intervals_agree_with_an_independent_row_bootstrap(imported):
    truth, a, b, outcome = imported
    store = open_store()
    data = load_votes(store, "synthetic_arena")
    store.close()
    assert len(data.a) <= 4 * K * (K - 1)  # aggregated: ordered pairs × outcomes, not battles
    names = data.contenders
    order = [names.index(f"model-{m:02d}") for m in range(K)]
    pair = data.a != data.b
    estimate = bt.fit(bt.pair_matrix(data.a, data.b, data.outcome, len(names), data.count))
    ours = bt.bootstrap(data.a, data.b, data.outcome, len(names), rounds=1000, seed=7,
                        weight=data.count, start=estimate)[:, order]
    assert pair.all()

    rng = np.random.default_rng(11)
    full = independent_fit(a, b, outcome)
    x0 = (full - bt.CENTRE) / TO_POINTS
    theirs = []
    for _ in range(200):
        pick = rng.integers(0, N, N)
        theirs.append(independent_fit(a[pick], b[pick], outcome[pick], x0, grouped=True))
    theirs = np.array(theirs)

    sd = theirs.std(axis=0)
    # Spread: the standard deviation of a bootstrap estimated from 200 rounds is known to
    # about 1/sqrt(400) = 5 %; 20 % is four of those.
    assert ours.std(axis=0) == pytest.approx(sd, rel=0.20)
    # Interval ends: a 2.5 % percentile from 200 rounds wanders by about 0.19 sd, from 1,000
    # rounds 0.09 sd; their difference by about 0.21 sd. Each end within 4 of those, and the
    # average over models within 2.
    for q in (2.5, 97.5):
        gap = np.abs(np.percentile(ours, q, axis=0) - np.percentile(theirs, q, axis=0)) / sd
        assert gap.max() < 0.85, (q, gap)
        assert gap.mean() < 0.42, (q, gap)
    # Centred where the fit is.
    assert np.abs(ours.mean(axis=0) - full).max() < 0.25 * sd.max() + 1


def test_newton_converges_where_a_loose_tolerance_stops_short():
    truth, a, b, outcome = synthetic_battles(seed=3)
    w = bt.pair_matrix(a, b, outcome, K)
    tight = bt.fit(w)
    reference = independent_fit(a, b, outcome)
    assert np.abs(tight - reference).max() < 0.05
    # Counting the same votes as aggregated weights changes nothing.
    cells, inverse = np.unique(np.c_[a, b, outcome], axis=0, return_inverse=True)
    counts = np.bincount(inverse.ravel())
    w2 = bt.pair_matrix(cells[:, 0], cells[:, 1], cells[:, 2], K, counts)
    assert np.allclose(w, w2)
    assert np.abs(bt.fit(w2) - tight).max() < 1e-6
