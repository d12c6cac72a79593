"""Results: tallies, Wilson intervals, Bradley–Terry against an independent fit, bias, matrix."""

from __future__ import annotations

import csv
import math
import time
from collections import defaultdict

import numpy as np
import pytest

from desktop.core.results.export import export_tallies, export_votes
from desktop.core.stats import bradley_terry as bt
from desktop.core.stats.bias import position_bias
from desktop.core.stats.headtohead import head_to_head
from desktop.core.stats.results import compute_all, compute_results
from desktop.core.stats.tallies import A_WINS, B_WINS, BOTH_BAD, TIE, tally, wilson_interval
from tests.store.helpers import populate


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def independent_fit(votes: list[tuple[str, str, str]], penalty: float = 0.0,
                    iterations: int = 20000) -> dict[str, float]:
    """Bradley–Terry written separately from the app: plain gradient ascent on the
    log-likelihood, ties (and both-bad) as half a win each, Arena's scale, mean 1000."""
    names = sorted({n for a, b, _ in votes for n in (a, b)})
    idx = {n: i for i, n in enumerate(names)}
    k = len(names)
    score = [[0.0] * k for _ in range(k)]
    for a, b, choice in votes:
        i, j = idx[a], idx[b]
        if choice == "a":
            score[i][j] += 1
        elif choice == "b":
            score[j][i] += 1
        else:
            score[i][j] += 0.5
            score[j][i] += 0.5
    theta = [0.0] * k  # natural-log odds units
    step = 0.5 / max(1.0, max(sum(score[i][j] + score[j][i] for j in range(k)) for i in range(k)))
    for _ in range(iterations):
        grad = [-penalty * theta[i] for i in range(k)]
        for i in range(k):
            for j in range(k):
                n = score[i][j] + score[j][i]
                if i != j and n:
                    p = 1 / (1 + math.exp(theta[j] - theta[i]))
                    grad[i] += score[i][j] - n * p
        theta = [t + 4 * step * g for t, g in zip(theta, grad)]
        mean = sum(theta) / k
        theta = [t - mean for t in theta]
        if max(abs(g) for g in grad) < 1e-9:
            break
    return {n: 1000 + 400 / math.log(10) * theta[idx[n]] for n in names}


def test_wilson_interval_known_values_and_edges():
    low, high = wilson_interval(50, 100)
    assert low == pytest.approx(0.4038, abs=1e-4) and high == pytest.approx(0.5962, abs=1e-4)
    low, high = wilson_interval(0, 10)
    assert low == 0 and 0.25 < high < 0.35
    low, high = wilson_interval(10, 10)
    assert high == 1 and 0.65 < low < 0.75
    assert wilson_interval(0, 0) == (0.0, 1.0)


def test_tally_counts_ties_as_half_and_skips_self_battles():
    a = np.array([0, 0, 1, 0, 1, 2])
    b = np.array([1, 1, 0, 1, 0, 2])  # the last is a contender against itself
    out = np.array([A_WINS, B_WINS, TIE, BOTH_BAD, A_WINS, A_WINS])
    t = tally(a, b, out, 3)
    assert t.battles.tolist() == [5, 5, 0]
    assert t.wins.tolist() == [1, 2, 0] and t.losses.tolist() == [2, 1, 0]
    assert t.ties.tolist() == [1, 1, 0] and t.both_bad.tolist() == [1, 1, 0]
    assert t.win_rate[0] == pytest.approx((1 + 0.5 + 0.5) / 5)
    assert np.all(t.win_rate_low[:2] <= t.win_rate[:2]) and np.all(t.win_rate[:2] <= t.win_rate_high[:2])


def test_ratings_match_an_independent_fit_on_a_few_hundred_exported_votes(store, tmp_path):
    populate(store, 400, k=5, seed=3, leak_every=17)
    export_votes(store, tmp_path / "votes.csv")
    export_tallies(store, tmp_path / "tallies.csv")
    votes = [r for r in read_csv(tmp_path / "votes.csv") if r["identity_leak"] == "0"]
    tallies = {r["contender"]: r for r in read_csv(tmp_path / "tallies.csv") if r["category"] == "all"}
    triples = [(r["contender_a"], r["contender_b"], r["choice"]) for r in votes]
    plain = independent_fit(triples)
    penalised = independent_fit(triples, penalty=bt._penalty())
    assert set(plain) == set(tallies)
    for name, row in tallies.items():
        assert float(row["rating"]) == pytest.approx(plain[name], abs=1.0)  # the Must-show bar
        assert float(row["rating"]) == pytest.approx(penalised[name], abs=0.02)  # same objective


def test_tallies_csv_agrees_with_votes_csv_for_every_category(store, tmp_path):
    populate(store, 300, k=4, seed=11, leak_every=9)
    export_votes(store, tmp_path / "votes.csv")
    export_tallies(store, tmp_path / "tallies.csv")
    votes = read_csv(tmp_path / "votes.csv")
    assert len(votes) == 300
    expected: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for v in votes:
        if v["identity_leak"] == "1" or v["contender_a"] == v["contender_b"]:
            continue
        for category in ("all", v["category"]):
            for me, other, mine in ((v["contender_a"], v["contender_b"], "a"),
                                    (v["contender_b"], v["contender_a"], "b")):
                row = expected[(category, me)]
                row["battles"] += 1
                if v["choice"] in ("tie", "both_bad"):
                    row["ties" if v["choice"] == "tie" else "both_bad"] += 1
                else:
                    row["wins" if v["choice"] == mine else "losses"] += 1
                assert v["winner"] in (me, other, "tie", "both_bad")
    rows = read_csv(tmp_path / "tallies.csv")
    assert {(r["category"], r["contender"]) for r in rows} == set(expected)
    for r in rows:
        want = expected[(r["category"], r["contender"])]
        for col in ("battles", "wins", "losses", "ties", "both_bad"):
            assert int(r[col]) == want[col], (r["category"], r["contender"], col)
        rate = (want["wins"] + 0.5 * (want["ties"] + want["both_bad"])) / want["battles"]
        assert float(r["win_rate"]) == pytest.approx(rate, abs=1e-6)
        # Every interval contains its estimate.
        assert float(r["win_rate_low"]) <= float(r["win_rate"]) <= float(r["win_rate_high"])
        assert float(r["rating_low"]) <= float(r["rating"]) <= float(r["rating_high"])
        assert r["model"] and r["provider"] and r["kind"] in ("open", "proprietary")


def test_a_perfect_record_gets_a_finite_sensible_rating():
    # Contender 0 beats everyone, every time; the others split among themselves.
    rng = np.random.default_rng(0)
    a, b, out = [], [], []
    for _ in range(60):
        j = int(rng.integers(1, 4))
        a.append(0), b.append(j), out.append(A_WINS)
        i, j = rng.choice([1, 2, 3], 2, replace=False)
        a.append(int(i)), b.append(int(j)), out.append(int(rng.choice([A_WINS, B_WINS, TIE])))
    rating, low, high = bt.ratings_with_intervals(np.array(a), np.array(b), np.array(out), 4)
    assert np.all(np.isfinite(rating)) and np.all(np.isfinite(low)) and np.all(np.isfinite(high))
    assert rating[0] == rating.max()
    assert 1300 < rating[0] < 2200  # clearly best, yet not absurd
    assert rating.mean() == pytest.approx(1000)
    assert np.all(low <= rating) and np.all(rating <= high)
    # Two contenders, 10-0 and 100-0: gaps grow slowly, as the docs say.
    for n, lo, hi in ((10, 700, 900), (100, 1050, 1250)):
        r = bt.fit(np.array([[0.0, n], [0.0, 0.0]]))
        assert lo < r[0] - r[1] < hi


def test_groups_that_never_met_still_get_finite_centred_ratings():
    w = np.zeros((4, 4))
    w[0, 1], w[1, 0], w[2, 3], w[3, 2] = 7, 3, 2, 8
    r = bt.fit(w)
    assert np.all(np.isfinite(r)) and r.mean() == pytest.approx(1000)


def test_bootstrap_is_reproducible_and_resamples_votes():
    rng = np.random.default_rng(5)
    a, b = rng.integers(0, 6, 2000), rng.integers(0, 6, 2000)
    out = rng.integers(0, 4, 2000)
    one = bt.bootstrap(a, b, out, 6)
    two = bt.bootstrap(a, b, out, 6)
    assert one.shape == (100, 6) and np.array_equal(one, two)
    assert not np.allclose(one[0], one[1])
    # The multinomial resample matches resampling rows: same spread, roughly.
    est = bt.fit(bt.pair_matrix(a, b, out, 6))
    rows = np.random.default_rng(1)
    slow = []
    for _ in range(100):
        pick = rows.integers(0, len(a), len(a))
        slow.append(bt.fit(bt.pair_matrix(a[pick], b[pick], out[pick], 6)))
    assert np.std(one, axis=0) == pytest.approx(np.std(slow, axis=0), rel=0.35)
    assert np.abs(one.mean(axis=0) - est).max() < 10


def test_ratings_at_scale_are_fast():
    rng = np.random.default_rng(2)
    n, k = 100_000, 20
    a = rng.integers(0, k, n)
    b = (a + rng.integers(1, k, n)) % k
    out = rng.integers(0, 4, n)
    started = time.perf_counter()
    rating, low, high = bt.ratings_with_intervals(a, b, out, k)
    assert time.perf_counter() - started < 2.0
    assert np.all(low <= rating) and np.all(rating <= high)


def test_position_bias_counts_a_against_b():
    out = np.array([A_WINS] * 60 + [B_WINS] * 40 + [TIE] * 5 + [BOTH_BAD] * 3)
    pb = position_bias(out)
    assert (pb.votes, pb.a_wins, pb.b_wins, pb.ties, pb.both_bad) == (108, 60, 40, 5, 3)
    assert pb.a_share == pytest.approx(0.6)
    assert pb.a_share_low < 0.6 < pb.a_share_high and pb.a_share_low == pytest.approx(0.502, abs=1e-3)
    empty = position_bias(np.array([], dtype=int))
    assert empty.a_share is None and empty.votes == 0


def test_head_to_head_matrix_is_consistent():
    a = np.array([0, 0, 1, 2, 2])
    b = np.array([1, 1, 0, 0, 1])
    out = np.array([A_WINS, TIE, A_WINS, B_WINS, BOTH_BAD])
    h = head_to_head(["x", "y", "z"], a, b, out)
    assert h.games.tolist() == [[0, 3, 1], [3, 0, 1], [1, 1, 0]]
    assert np.allclose(h.score + h.score.T, h.games)
    assert h.rate(0, 1) == pytest.approx(1.5 / 3) and h.rate(0, 2) == 1.0
    assert h.rate(0, 0) is None


def test_results_leave_leaks_out_unless_asked(store):
    populate(store, 200, k=3, seed=4, leak_every=5)
    plain = compute_results(store)
    with_leaks = compute_results(store, include_leaks=True)
    assert plain.leaks_excluded == 40 and plain.votes == 160
    assert with_leaks.votes == 200 and with_leaks.leaks_excluded == 0
    all_results = compute_all(store)
    assert all_results[0].category == "all"
    assert sum(r.votes for r in all_results[1:]) == plain.votes
    coding = compute_results(store, "CODING")
    assert coding.category == "coding" and 0 < coding.votes < plain.votes
    assert [c.rating for c in plain.contenders] == sorted((c.rating for c in plain.contenders), reverse=True)
    assert plain.head_to_head.contenders == [c.contender for c in plain.contenders]
    d = plain.to_dict()
    assert d["contenders"][0]["rating"] == plain.contenders[0].rating
    assert d["position_bias"]["votes"] == plain.votes
