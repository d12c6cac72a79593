"""A synthetic database: many battles and votes among many contenders, written fast."""

from __future__ import annotations

import random

from desktop.core.contenders.answer import Answer
from desktop.core.store import make_record, open_store
from desktop.core.store.battles import insert_battle
from desktop.core.store.votes import insert_vote

CATEGORIES = ("coding", "summarization", "reasoning", "factual", "creative", "other")


def contenders(k: int) -> list[str]:
    return ["local"] + [f"openai:model-{i}" for i in range(1, k)]


def fill(path, n_votes: int, k: int = 20, seed: int = 7):
    """A store at `path` holding `n_votes` voted battles among `k` contenders of known strength."""
    rng = random.Random(seed)
    names = contenders(k)
    strength = {name: rng.gauss(0, 1) for name in names}
    store = open_store(path)
    batch = 5000
    for start in range(0, n_votes, batch):
        with store.transaction("fill") as db:
            for i in range(start, min(n_votes, start + batch)):
                a, b = rng.sample(names, 2)
                answer_a = Answer(a, a.split(":")[0], "open", a, "Answer one.", "stop",
                                  0.2, 1.0, 10, 20, 30.0, 0.0)
                answer_b = Answer(b, b.split(":")[0], "proprietary", b, "Answer two.", "stop",
                                  0.3, 1.2, 10, 25, 40.0, 0.0001)
                record = make_record(f"Prompt {i}, with a comma", answer_a, answer_b,
                                     mode="blind", category=rng.choice(CATEGORIES),
                                     a_slot=rng.choice(("left", "right")))
                insert_battle(db, record)
                p = 1 / (1 + 10 ** (-(strength[a] - strength[b]) * 100 / 400))
                roll = rng.random()
                choice = "tie" if roll < 0.1 else ("a" if rng.random() < p else "b")
                insert_vote(db, record, choice, record.created_at, 3.0)
    return store


def unvoted_battles(store, n: int) -> list[str]:
    """Add `n` finished, unvoted battles and return their ids."""
    ids = []
    with store.transaction("fill") as db:
        for i in range(n):
            a = Answer("local", "local", "open", "m", "x", "stop", 0.1, 0.2, 1, 1, 1.0, 0.0)
            b = Answer("openai:model-1", "openai", "proprietary", "m", "y", "stop", 0.1, 0.2,
                       1, 1, 1.0, 0.0)
            record = make_record(f"unvoted {i}", a, b, mode="blind")
            insert_battle(db, record)
            ids.append(record.id)
    return ids
