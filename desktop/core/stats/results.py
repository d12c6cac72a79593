"""Everything the leaderboard shows, for all battles and per category, from the store.

What counts: every vote, except on battles flagged `identity_leak` unless `include_leaks=True`.
A tie and a "both bad" both count as half a win for each side in win rates and ratings, as in
Chatbot Arena (which scores "tie (bothbad)" as a tie); they are still counted apart in the
tallies. A battle of a contender against itself counts only for position bias.

Contenders are identified by their spec string ("local", "openai:gpt-4o-mini"); the model,
provider and kind shown are those of the contender's most recently recorded vote.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from desktop.core.stats import bradley_terry
from desktop.core.stats.bias import PositionBias, position_bias
from desktop.core.stats.headtohead import HeadToHead, head_to_head
from desktop.core.stats.tallies import OUTCOME_CODES, tally
from desktop.core.store.db import Store

ALL = "all"


@dataclass
class ContenderResult:
    contender: str
    model: str
    provider: str
    kind: str
    battles: int
    wins: int
    losses: int
    ties: int
    both_bad: int
    win_rate: float
    win_rate_low: float
    win_rate_high: float
    rating: float
    rating_low: float
    rating_high: float


@dataclass
class Results:
    category: str  # "all" or a category name
    contenders: list[ContenderResult]  # best rating first
    position_bias: PositionBias
    head_to_head: HeadToHead  # rows and columns in the order of `contenders`
    votes: int  # votes counted
    leaks_excluded: int  # votes left out because the battle leaked an identity
    include_leaks: bool = False

    def to_dict(self) -> dict:
        return {
            "category": self.category,
            "votes": self.votes,
            "leaks_excluded": self.leaks_excluded,
            "include_leaks": self.include_leaks,
            "contenders": [asdict(c) for c in self.contenders],
            "position_bias": self.position_bias.to_dict(),
            "head_to_head": self.head_to_head.to_dict(),
        }


@dataclass
class VoteData:
    """Counted votes as arrays, with the names the indices refer to."""

    contenders: list[str]
    info: dict[str, tuple[str, str, str]]  # contender -> (model, provider, kind)
    a: np.ndarray
    b: np.ndarray
    outcome: np.ndarray
    category: np.ndarray  # lower-cased category per vote (object array)
    leak: np.ndarray  # bool per vote
    category_names: dict[str, str] = field(default_factory=dict)  # lower-case -> as written


def load_votes(store: Store) -> VoteData:
    """Every vote, from the compact votes table (it carries the battle facts ratings need)."""
    with store.snapshot() as db:
        rows = db.execute(
            "SELECT category, identity_leak, contender_a, contender_b, choice, battle_id "
            "FROM votes ORDER BY id"
        ).fetchall()
        index: dict[str, int] = {}
        latest: dict[str, tuple[str, str]] = {}  # contender -> (battle_id, position), last seen
        names: dict[str, str] = {}
        n = len(rows)
        a = np.empty(n, dtype=np.int64)
        b = np.empty(n, dtype=np.int64)
        outcome = np.empty(n, dtype=np.int64)
        category = np.empty(n, dtype=object)
        leak = np.empty(n, dtype=bool)
        codes = OUTCOME_CODES
        for r, (cat, leaked, ca, cb, choice, battle_id) in enumerate(rows):
            a[r] = index.setdefault(ca, len(index))
            b[r] = index.setdefault(cb, len(index))
            latest[ca] = (battle_id, "a")
            latest[cb] = (battle_id, "b")
            outcome[r] = codes[choice]
            key = cat.lower()
            if key not in names:
                names[key] = cat
            category[r] = key
            leak[r] = leaked
        info = {}
        for contender, (battle_id, position) in latest.items():
            row = db.execute(
                "SELECT model, provider, kind FROM answers WHERE battle_id = ? AND turn = 1 "
                "AND seat = ?",
                (battle_id, position),
            ).fetchone()
            info[contender] = tuple(row) if row else ("", contender.split(":")[0], "")
    return VoteData(list(index), info, a, b, outcome, category, leak, names)


def results_for(
    data: VoteData,
    category: str | None = None,
    *,
    include_leaks: bool = False,
    rounds: int = bradley_terry.ROUNDS,
    seed: int = bradley_terry.SEED,
) -> Results:
    """Results over the votes in `data`, for one category (None or "all": every category)."""
    mask = np.ones(len(data.a), dtype=bool)
    label = ALL
    if category and category.lower() != ALL:
        mask &= data.category == category.lower()
        label = data.category_names.get(category.lower(), category)
    in_category = int(mask.sum())
    if not include_leaks:
        mask &= ~data.leak
    leaks_excluded = in_category - int(mask.sum())
    a, b, outcome = data.a[mask], data.b[mask], data.outcome[mask]

    # Re-index to the contenders present here, so an absent one gets no row.
    present = np.unique(np.concatenate([a[a != b], b[a != b]]))
    remap = np.full(len(data.contenders), -1)
    remap[present] = np.arange(len(present))
    names = [data.contenders[i] for i in present]
    k = len(names)
    pa, pb = remap[a], remap[b]
    pair = (a != b)
    t = tally(pa[pair], pb[pair], outcome[pair], k)
    rating, low, high = bradley_terry.ratings_with_intervals(
        pa[pair], pb[pair], outcome[pair], k, rounds, seed
    )
    order = sorted(range(k), key=lambda i: (-rating[i], names[i]))
    rows = []
    for i in order:
        model, provider, kind = data.info[names[i]]
        rows.append(ContenderResult(
            contender=names[i], model=model, provider=provider, kind=kind,
            battles=int(t.battles[i]), wins=int(t.wins[i]), losses=int(t.losses[i]),
            ties=int(t.ties[i]), both_bad=int(t.both_bad[i]), win_rate=float(t.win_rate[i]),
            win_rate_low=float(t.win_rate_low[i]), win_rate_high=float(t.win_rate_high[i]),
            rating=float(rating[i]), rating_low=float(low[i]), rating_high=float(high[i]),
        ))
    ordered = [names[i] for i in order]
    inverse = np.empty(k, dtype=np.int64)
    inverse[order] = np.arange(k)
    h2h = head_to_head(ordered, inverse[pa[pair]], inverse[pb[pair]], outcome[pair])
    return Results(
        category=label, contenders=rows, position_bias=position_bias(outcome),
        head_to_head=h2h, votes=int(mask.sum()), leaks_excluded=leaks_excluded,
        include_leaks=include_leaks,
    )


def categories_in(data: VoteData) -> list[str]:
    """Categories that have votes, as written, in alphabetical order."""
    return sorted((data.category_names[c] for c in set(data.category.tolist())), key=str.lower)


def compute_results(
    store: Store, category: str | None = None, *, include_leaks: bool = False
) -> Results:
    """One leaderboard: all battles, or one category."""
    return results_for(load_votes(store), category, include_leaks=include_leaks)


def compute_all(store: Store, *, include_leaks: bool = False) -> list[Results]:
    """The leaderboard for all battles, then one per category with votes."""
    data = load_votes(store)
    out = [results_for(data, None, include_leaks=include_leaks)]
    out += [results_for(data, c, include_leaks=include_leaks) for c in categories_in(data)]
    return out
