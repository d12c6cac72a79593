"""Everything the leaderboard shows, for all battles and per category, from the store.

Whose votes: the user's own by default, or an imported source, or all of them (see
desktop.core.store.sources). Imported votes arrive as pair counts and have no sides, so they
count for ratings, tallies and head to head but not for position bias.

What counts: every vote, except on battles flagged `identity_leak` unless `include_leaks=True`.
A tie and a "both bad" both count as half a win for each side in win rates and ratings, as in
Chatbot Arena (which scores "tie (bothbad)" as a tie); they are still counted apart in the
tallies. A battle of a contender against itself counts only for position bias.

Contenders are identified by their spec string ("local", "openai:gpt-4o-mini"); the model,
provider and kind shown are those of the contender's most recently recorded vote.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from desktop.core.stats import bradley_terry
from desktop.core.stats.bias import PositionBias, position_bias
from desktop.core.stats.headtohead import HeadToHead, head_to_head
from desktop.core.stats.tallies import tally
from desktop.core.store.db import Store
from desktop.core.store.sources import OWN, TEAM, Outcomes, resolve, vote_outcomes
from desktop.core.team.read import team_outcomes

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
    source: str = OWN  # own, all, or an imported source's name

    def to_dict(self) -> dict:
        return {
            "source": self.source,
            "category": self.category,
            "votes": self.votes,
            "leaks_excluded": self.leaks_excluded,
            "include_leaks": self.include_leaks,
            "contenders": [asdict(c) for c in self.contenders],
            "position_bias": self.position_bias.to_dict(),
            "head_to_head": self.head_to_head.to_dict(),
        }


def load_votes(store: Store, source: str | None = OWN, voter: str | None = None) -> Outcomes:
    """The votes of `source`: own (the default), all, team (counted by the team's server,
    `voter` narrowing them to one person), or an imported source's name."""
    if resolve(store, source) == TEAM:
        return team_outcomes(store, voter)
    return vote_outcomes(store, source)


def results_for(
    data: Outcomes,
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
    count = data.count
    in_category = int(count[mask].sum())
    if not include_leaks:
        mask &= ~data.leak
    leaks_excluded = in_category - int(count[mask].sum())
    a, b, outcome, w = data.a[mask], data.b[mask], data.outcome[mask], count[mask]
    sided = data.sided[mask]

    # Re-index to the contenders present here, so an absent one gets no row; in name order, so
    # the same votes give the same fit (bootstrap draws included) however they were stored
    # (one's own file, a merged one, or a team's server).
    present = np.unique(np.concatenate([a[a != b], b[a != b]]))
    present = np.array(sorted(present.tolist(), key=lambda i: data.contenders[i]), dtype=np.int64)
    remap = np.full(len(data.contenders), -1)
    remap[present] = np.arange(len(present))
    names = [data.contenders[i] for i in present]
    k = len(names)
    pa, pb = remap[a], remap[b]
    pair = (a != b)
    t = tally(pa[pair], pb[pair], outcome[pair], k, w[pair])
    rating, low, high = bradley_terry.ratings_with_intervals(
        pa[pair], pb[pair], outcome[pair], k, rounds, seed, w[pair]
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
    h2h = head_to_head(ordered, inverse[pa[pair]], inverse[pb[pair]], outcome[pair], w[pair])
    # Only votes whose A was really shown first say anything about position bias; imported
    # votes carry no sides.
    return Results(
        category=label, contenders=rows, position_bias=position_bias(outcome[sided], w[sided]),
        head_to_head=h2h, votes=int(w.sum()), leaks_excluded=leaks_excluded,
        include_leaks=include_leaks, source=data.source,
    )


def categories_in(data: Outcomes) -> list[str]:
    """Categories that have votes, as written, in alphabetical order."""
    return sorted((data.category_names[c] for c in set(data.category.tolist())), key=str.lower)


def votes_per_category(data: Outcomes) -> dict[str, int]:
    """Votes in each category that has any, as written, in alphabetical order."""
    return {c: int(data.count[data.category == c.lower()].sum()) for c in categories_in(data)}


def compute_results(
    store: Store, category: str | None = None, *, include_leaks: bool = False,
    source: str | None = OWN, voter: str | None = None,
) -> Results:
    """One leaderboard: all battles, or one category."""
    return results_for(load_votes(store, source, voter), category, include_leaks=include_leaks)


def compute_all(store: Store, *, include_leaks: bool = False,
                source: str | None = OWN, voter: str | None = None) -> list[Results]:
    """The leaderboard for all battles, then one per category with votes."""
    data = load_votes(store, source, voter)
    out = [results_for(data, None, include_leaks=include_leaks)]
    out += [results_for(data, c, include_leaks=include_leaks) for c in categories_in(data)]
    return out
