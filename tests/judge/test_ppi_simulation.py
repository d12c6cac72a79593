"""PPI++ by simulation (pure Python, seeded): 1,000 pair-categories with a true human win rate
in [0.35, 0.65], n = 40 human votes among N = 400 judged battles. The interval must keep 95 %
coverage whatever the judge, and narrow it in proportion to how well the judge agrees."""

from __future__ import annotations

import math
import random

import pytest

from desktop.core.stats.ppi import ppi_mean, t_quantile_975
from desktop.core.stats.tallies import wilson_interval

SIMS, N, n = 1000, 400, 40
TIES = 0.15  # share of tie / both-bad votes, scored ½ as in the verdict


def human_vote(rng: random.Random, theta: float) -> float:
    u = rng.random()
    if u < TIES:
        return 0.5
    p_open = (theta - TIES / 2) / (1 - TIES)  # so that the mean score is theta
    return 1.0 if rng.random() < p_open else 0.0


def judge_good(rng, y):  # agrees 90 % of the time; otherwise one of the other answers
    return y if rng.random() < 0.9 else rng.choice([v for v in (0.0, 0.5, 1.0) if v != y])


def judge_biased(rng, y):  # agrees 80 %; when it does not, it leans to the open side
    if rng.random() < 0.8:
        return y
    return 1.0 if y != 1.0 else 0.5


def judge_random(rng, y):
    return rng.choice([0.0, 1.0, 0.0, 1.0, 0.5])


def simulate(judge, seed: int):
    rng = random.Random(seed)
    covered = widths = wilson_covered = wilson_widths = 0.0
    for _ in range(SIMS):
        theta = rng.uniform(0.35, 0.65)
        ys = [human_vote(rng, theta) for _ in range(N)]
        fs = [judge(rng, y) for y in ys]
        voted = rng.sample(range(N), n)  # the user votes on a random sample of judged battles
        y = [ys[i] for i in voted]
        est = ppi_mean(y, [fs[i] for i in voted], fs)
        covered += est.low <= theta <= est.high
        widths += est.high - est.low
        low, high = wilson_interval(sum(y), n)
        wilson_covered += float(low) <= theta <= float(high)
        wilson_widths += float(high) - float(low)
    return covered / SIMS, widths / wilson_widths, wilson_covered / SIMS


@pytest.mark.parametrize("judge, seed, max_ratio", [
    (judge_good, 1, 0.72), (judge_biased, 2, 1.00), (judge_random, 3, 1.06)])
def test_ppi_keeps_coverage_and_narrows_with_a_good_judge(judge, seed, max_ratio):
    coverage, ratio, wilson_coverage = simulate(judge, seed)
    print(f"{judge.__name__}: coverage {coverage:.3f}, width {ratio:.3f} x human-only, "
          f"Wilson coverage {wilson_coverage:.3f}")
    assert coverage >= 0.935
    assert ratio <= max_ratio
    assert wilson_coverage >= 0.935


def test_t_quantile_matches_known_values():
    assert t_quantile_975(39) == pytest.approx(2.0227, abs=1e-3)
    assert t_quantile_975(9) == pytest.approx(2.2622, abs=1e-3)
    assert t_quantile_975(10_000) == pytest.approx(1.96, abs=1e-3)
    assert math.isinf(t_quantile_975(0))


def test_a_useless_judge_gets_no_weight_and_a_perfect_one_never_zero_width():
    rng = random.Random(5)
    ys = [human_vote(rng, 0.5) for _ in range(400)]
    est = ppi_mean(ys[:40], ys[:40], ys)  # judge == human on every battle
    assert est.lam > 0.8
    assert 0 < est.high - est.low < 0.2
    const = ppi_mean(ys[:40], [0.5] * 40, [0.5] * 400)  # a judge with no opinion
    assert const.lam == 0.0
