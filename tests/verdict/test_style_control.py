"""Style control: the fit matches an independent one (scipy) on the same battles, finds a
length effect planted in the votes, and reaches the leaderboard's JSON and table."""

from __future__ import annotations

import json
import math
import random

import numpy as np
import pytest
from scipy.optimize import minimize

from desktop.cli import main
from desktop.core.stats.style_control import load_style_votes, style_control_for, style_counts
from desktop.core.store import make_record
from desktop.core.store.battles import insert_battle
from desktop.core.store.votes import insert_vote
from tests.store.helpers import answer

CONTENDERS = ["local", "openai:gpt-4o-mini", "anthropic:claude-sonnet-4-5", "gemini:gemini-2.0"]
STRENGTH = [0.0, 0.4, 0.2, -0.1]  # natural-log odds
VERBOSE = [False, False, True, False]  # this one pads its answers with markdown
LENGTH_EFFECT = 1.5  # log-odds per unit of (lenA - lenB) / (lenA + lenB)


def write_answer(rng: random.Random, verbose: bool) -> tuple[str, tuple[int, int, int, int]]:
    """An answer built from known parts: (text, (characters, headers, list items, bold))."""
    headers = rng.randint(1, 3) if verbose else rng.choice([0, 0, 1])
    items = rng.randint(3, 8) if verbose else rng.randint(0, 2)
    bold = rng.randint(2, 5) if verbose else rng.choice([0, 1])
    words = rng.randint(80, 160) if verbose else rng.randint(20, 70)
    lines = [f"# Part {h}" for h in range(headers)]
    lines.append(" ".join(["word"] * words) + "".join(" **key**" for _ in range(bold)))
    lines += [f"- point {i}" for i in range(items)]
    if rng.random() < 0.3:  # markdown inside a code block does not count
        lines.append("```\n# not a header\n- not an item\n```")
    text = "\n".join(lines)
    return text, (len(text), headers, items, bold)


def plant_votes(store, n: int = 500, seed: int = 11) -> list[tuple[int, int, float, tuple, tuple]]:
    rng = random.Random(seed)
    planted = []
    with store.transaction() as db:
        for v in range(n):
            i, j = rng.sample(range(len(CONTENDERS)), 2)
            text_a, counts_a = write_answer(rng, VERBOSE[i])
            text_b, counts_b = write_answer(rng, VERBOSE[j])
            length = (counts_a[0] - counts_b[0]) / (counts_a[0] + counts_b[0])
            p = 1 / (1 + math.exp(-(STRENGTH[i] - STRENGTH[j] + LENGTH_EFFECT * length)))
            u = rng.random()
            choice = "tie" if u > 0.9 else ("a" if u < 0.9 * p else "b")
            outcome = {"a": 1.0, "b": 0.0, "tie": 0.5}[choice]
            record = make_record(f"prompt {v}", answer(CONTENDERS[i], text_a),
                                 answer(CONTENDERS[j], text_b), mode="blind", category="coding")
            insert_battle(db, record)
            insert_vote(db, record, choice, record.created_at, 3.0)
            planted.append((i, j, outcome, counts_a, counts_b))
    return planted


def independent_fit(planted, k: int):
    """Written apart from the app: features from the counts the test itself put in, the same
    penalised likelihood, minimised by scipy's BFGS."""
    ca = np.array([p[3] for p in planted], dtype=float)
    cb = np.array([p[4] for p in planted], dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        diff = np.where(ca + cb > 0, (ca - cb) / (ca + cb), 0.0)
    x = (diff - diff.mean(axis=0)) / diff.std(axis=0)
    y = np.array([p[2] for p in planted])
    ia = np.array([p[0] for p in planted])
    ib = np.array([p[1] for p in planted])
    sd = 800 * math.log(10) / 400  # the prior: 800 rating points, in natural-log odds
    lam = 1 / sd**2

    def loss(theta):
        beta, gamma = theta[:k], theta[k:]
        eta = beta[ia] - beta[ib] + x @ gamma
        nll = np.sum(np.logaddexp(0, eta) - y * eta)
        return nll + 0.5 * lam * theta @ theta

    def grad(theta):
        beta, gamma = theta[:k], theta[k:]
        eta = beta[ia] - beta[ib] + x @ gamma
        r = 1 / (1 + np.exp(-eta)) - y
        g = np.zeros_like(theta)
        np.add.at(g, ia, r)
        np.add.at(g, ib, -r)
        g[k:] = x.T @ r
        return g + lam * theta

    best = minimize(loss, np.zeros(k + x.shape[1]), jac=grad, method="BFGS",
                    options={"gtol": 1e-10, "maxiter": 10000})
    beta = best.x[:k] - best.x[:k].mean()
    return 1000 + 400 / math.log(10) * beta, best.x[k:]


def test_style_counts_follow_arena_patterns():
    text = ("# Title\n## Sub\nSome **bold** and __also__.\n- a\n* b\n  + c\n1. one\n"
            "```\n# no\n- no\n```")
    assert style_counts(text) == (len(text), 2, 4, 2)
    assert style_counts("") == (0, 0, 0, 0)


def test_fit_matches_an_independent_computation_and_finds_the_length_effect(store):
    planted = plant_votes(store)
    ours = style_control_for(load_style_votes(store))
    theirs_ratings, theirs_gamma = independent_fit(planted, len(CONTENDERS))
    assert ours.votes == len(planted)
    for index, name in enumerate(CONTENDERS):
        assert ours.rating_of(name).rating == pytest.approx(theirs_ratings[index], abs=0.01)
    gamma = [c.coefficient for c in ours.coefficients]
    assert gamma == pytest.approx(list(theirs_gamma), abs=1e-4)
    length = ours.coefficients[0]
    assert length.feature == "length" and length.low > 0  # longer answers win, and it shows
    for r in ours.ratings:
        assert r.rating_low < r.rating < r.rating_high


def test_leaderboard_shows_style_controlled_ratings_beside_the_plain_ones(store, capsys):
    plant_votes(store, n=300, seed=5)
    assert main(["leaderboard", "--style-control", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [c["feature"] for c in data["style_control"]["coefficients"]] == [
        "length", "headers", "lists", "bold"]
    rows = {c["contender"]: c for c in data["contenders"]}
    verbose = rows[CONTENDERS[2]]
    assert verbose["rating_style"] is not None
    assert verbose["rating_style_low"] < verbose["rating_style"] < verbose["rating_style_high"]
    # Its padding won it votes; with style held equal it drops.
    assert verbose["rating_style"] < verbose["rating"]
    assert main(["leaderboard", "--json"]) == 0
    assert "style_control" not in json.loads(capsys.readouterr().out)
    assert main(["leaderboard", "--style-control"]) == 0
    out = capsys.readouterr().out
    assert "Style-controlled" in out and "answer length" in out
