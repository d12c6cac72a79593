"""What to vote on next: the remaining battles ordered so that votes go where they decide most.

The rule (docs/verdict.md, "What to vote next"):
1. Battles of an *undecided* pair and category come first, those whose decision is nearest
   first: fewest `votes_needed` (the verdict's estimate of the votes still needed), so a
   category a handful of votes from a decision is settled before one that needs hundreds.
2. Then categories with no verdict row yet (no counted vote: any vote there is informative),
   then undecided ones whose decision is out of reach (`votes_needed` is None).
3. Decided categories (as good, better, worse) come last: more votes there change nothing.
Within a category the battles come in a random order (seeded, so a list can be reproduced):
`verdict --judge` assumes the user's votes are a random sample of the judged battles of that
pair and category, and offering them in random order keeps it so.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from desktop.core.stats.pair_votes import load_pair_votes
from desktop.core.stats.verdict import UNDECIDED, PairVerdict, compute_verdict
from desktop.core.store.db import Store


@dataclass(frozen=True)
class Remaining:
    """A battle waiting for a vote: its id, pair (contender specs) and category."""

    battle_id: str
    open: str
    proprietary: str
    category: str


def _rank(row: PairVerdict | None) -> tuple[int, int]:
    if row is None:
        return (1, 0)
    if row.decision != UNDECIDED:
        return (3, 0)
    if row.votes_needed is None:
        return (2, 0)
    return (0, row.votes_needed)


def order_remaining(battles: Iterable[Remaining], rows: Iterable[PairVerdict],
                    seed: int = 0) -> list[Remaining]:
    """`battles` in the order to vote on them (see the module docstring). `rows` are the
    verdict's per-category rows (the "all" rows are ignored)."""
    by_key = {(r.open, r.proprietary, r.category.lower()): r for r in rows if r.category != "all"}
    groups: dict[tuple[str, str, str], list[Remaining]] = {}
    for b in battles:
        groups.setdefault((b.open, b.proprietary, b.category.lower()), []).append(b)
    rng = random.Random(seed)
    ordered = []
    for key in sorted(groups, key=lambda k: (*_rank(by_key.get(k)), k)):
        group = sorted(groups[key], key=lambda b: b.battle_id)
        rng.shuffle(group)
        ordered.extend(group)
    return ordered


def remaining_battles(store: Store) -> list[Remaining]:
    """Battles between an open and a proprietary contender that have no vote yet and whose
    opening turn finished on both seats."""
    sql = (
        "SELECT b.id, b.category, x.contender, x.kind, y.contender, y.kind FROM battles b"
        " JOIN answers x ON x.battle_id = b.id AND x.turn = 1 AND x.seat = 'a'"
        " JOIN answers y ON y.battle_id = b.id AND y.turn = 1 AND y.seat = 'b'"
        " WHERE NOT EXISTS (SELECT 1 FROM votes v WHERE v.battle_id = b.id)"
        " AND x.error_kind IS NULL AND y.error_kind IS NULL"
    )
    out = []
    with store.read() as db:
        for battle_id, category, ca, ka, cb, kb in db.execute(sql):
            if (ka, kb) == ("open", "proprietary"):
                out.append(Remaining(battle_id, ca, cb, category))
            elif (ka, kb) == ("proprietary", "open"):
                out.append(Remaining(battle_id, cb, ca, category))
    return out


def next_to_vote(store: Store, seed: int = 0) -> list[Remaining]:
    """Every battle still waiting for a vote, in the order to vote on them (Review, `batch`)."""
    rows = compute_verdict(load_pair_votes(store)).pairs
    return order_remaining(remaining_battles(store), rows, seed)


def order_ids(store: Store, ids: list[str], seed: int = 0) -> list[str]:
    """`ids` (a Review queue, oldest first) in the order to vote on them: those `next_to_vote`
    ranks come first in its order; the rest (not an open-vs-proprietary pair, so no verdict
    tells them apart) follow in their own order."""
    wanted = set(ids)
    first = [r.battle_id for r in next_to_vote(store, seed) if r.battle_id in wanted]
    ranked = set(first)
    return first + [i for i in ids if i not in ranked]


def category_ranks(store: Store, left: str, right: str) -> Callable[[str], tuple[int, int]]:
    """For a batch between `left` and `right` (either seat): a sort key per category, nearest
    decision first, by the same rule (a pair that is not open-vs-proprietary has no verdict:
    every category ranks alike, so the order stays the file's)."""
    pair = {left, right}
    by_category = {r.category.lower(): r for r in compute_verdict(load_pair_votes(store)).pairs
                   if r.category != "all" and {r.open, r.proprietary} == pair}
    return lambda category: _rank(by_category.get(category.lower()))
