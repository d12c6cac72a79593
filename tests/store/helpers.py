"""Synthetic battles and votes for the store tests."""

from __future__ import annotations

import random

import numpy as np

from desktop.core.contenders.answer import Answer
from desktop.core.base.errors import ErrorInfo
from desktop.core.store import make_record, save_battle
from desktop.core.store.battles import insert_battle
from desktop.core.store.votes import CHOICES, insert_vote


def answer(contender: str = "local", text: str = "An answer.", *, model: str | None = None,
           finish: str = "stop", error: ErrorInfo | None = None, **metrics) -> Answer:
    provider = contender.split(":")[0]
    kind = "open" if provider == "local" else "proprietary"
    defaults = dict(ttft_s=0.25, total_s=1.5, prompt_tokens=12, output_tokens=40,
                    tokens_per_s=30.0, cost_usd=0.0 if provider == "local" else 0.0001)
    defaults.update(metrics)
    return Answer(contender=contender, provider=provider, kind=kind,
                  model=model or f"{contender}-model", text=text, finish_reason=finish,
                  error=error, **defaults)


def battle(store, a="local", b="openai:gpt-4o-mini", *, prompt="Say hi.", text_a="Hi!",
           text_b="Hello!", mode="blind", category="other", **kw):
    record = make_record(prompt, answer(a, text_a), answer(b, text_b), mode=mode,
                         category=category, **kw)
    return save_battle(store, record)


def true_ratings(k: int, seed: int = 7) -> np.ndarray:
    return np.random.default_rng(seed).normal(1000, 150, k)


def populate(store, n_votes: int, k: int = 4, *, seed: int = 1,
             categories=("coding", "creative", "reasoning"), leak_every: int = 0,
             text: str = "Answer text.") -> list[str]:
    """Insert n_votes voted battles among k contenders in one transaction; returns contenders."""
    rng = random.Random(seed)
    names = [f"compat:m{i}@http://127.0.0.1:9/v1" if i else "local" for i in range(k)]
    truth = true_ratings(k, seed)
    with store.transaction() as db:
        for n in range(n_votes):
            i, j = rng.sample(range(k), 2)
            p = 1 / (1 + 10 ** ((truth[j] - truth[i]) / 400))
            u = rng.random()
            choice = "a" if u < 0.8 * p else "b" if u < 0.8 else rng.choice(["tie", "both_bad"])
            leaky = leak_every and n % leak_every == 0
            rec = make_record(
                f"prompt {n}", answer(names[i], "I am Claude." if leaky else text),
                answer(names[j], text), mode="blind", category=rng.choice(categories),
                created_at=f"2025-01-01T00:00:{n // 1000:02d}.{n % 1000:03d}Z",
            )
            insert_battle(db, rec)
            insert_vote(db, rec, choice, rec.created_at, rng.random() * 10)
    assert set(CHOICES)
    return names
