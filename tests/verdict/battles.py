"""Blind battles with a known truth, saved through the store's own API."""

from __future__ import annotations

import random

from desktop.core.stats.pair_votes import load_pair_votes
from desktop.core.stats.verdict import BETTER, UNDECIDED, compute_verdict
from desktop.core.store import make_record, save_battle
from desktop.core.store.battles import insert_battle
from desktop.core.store.votes import insert_vote
from tests.store.helpers import answer

OPEN = "local"
PROPRIETARY = "openai:gpt-4o-mini"


def open_answer(text: str = "An open answer.", **metrics):
    defaults = dict(ttft_s=0.2, tokens_per_s=40.0, prompt_tokens=20, output_tokens=100)
    defaults.update(metrics)
    return answer(OPEN, text, model="SmolLM2-135M-Instruct", **defaults)


def proprietary_answer(text: str = "A proprietary answer.", **metrics):
    defaults = dict(ttft_s=0.6, tokens_per_s=80.0, prompt_tokens=20, output_tokens=100)
    defaults.update(metrics)
    return answer(PROPRIETARY, text, model="gpt-4o-mini-2024-07-18", **defaults)


def save_blind_votes(store, category: str, results: list[str], *, seed: int = 0,
                     mode: str = "blind", start: int = 0, **metrics) -> None:
    """One blind battle and vote per result ("open", "proprietary", "tie", "both_bad"), in one
    transaction. A fair coin puts the open answer in A or B; the vote names that position."""
    rng = random.Random(seed)
    with store.transaction() as db:
        for n, result in enumerate(results, start):
            open_first = rng.random() < 0.5
            o, p = open_answer(**metrics), proprietary_answer(**metrics)
            a, b = (o, p) if open_first else (p, o)
            record = make_record(f"{category} prompt {n}", a, b, mode=mode, category=category,
                                 a_slot=rng.choice(["left", "right"]),
                                 created_at=f"2026-03-{1 + n % 28:02d}T10:00:00.000Z")
            insert_battle(db, record)
            if result in ("tie", "both_bad"):
                choice = result
            else:
                choice = "a" if (result == "open") == open_first else "b"
            insert_vote(db, record, choice, record.created_at.replace("10:", "11:"), 4.0)


def mix(open_wins: int, proprietary_wins: int, ties: int = 0, both_bad: int = 0,
        seed: int = 0) -> list[str]:
    results = (["open"] * open_wins + ["proprietary"] * proprietary_wins + ["tie"] * ties
               + ["both_bad"] * both_bad)
    random.Random(seed).shuffle(results)
    return results


def decided_and_near(store) -> None:
    """coding decided (the open side mostly wins), factual undecided a few votes from a
    decision, writing without a vote."""
    save_blind_votes(store, "coding", mix(230, 50, 15, 5), seed=3)
    save_blind_votes(store, "factual", mix(14, 6), seed=4, start=1000)
    rows = {r.category: r for r in compute_verdict(load_pair_votes(store)).pairs}
    assert rows["coding"].decision == BETTER
    assert rows["factual"].decision == UNDECIDED and rows["factual"].votes_needed is not None


def waiting(store) -> dict[str, list[str]]:
    """Blind battles without a vote, saved oldest first: coding, writing, then factual."""
    ids: dict[str, list[str]] = {}
    for category, count in (("coding", 4), ("writing", 2), ("factual", 6)):
        for n in range(count):
            o, p = open_answer(f"open {category} {n}"), proprietary_answer(f"prop {n}")
            a, b = (o, p) if n % 2 else (p, o)
            record = save_battle(store, make_record(f"{category} waiting {n}", a, b,
                                                    mode="blind", category=category))
            ids.setdefault(category, []).append(record.id)
    return ids
