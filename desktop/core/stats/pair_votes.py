"""The votes the verdict reads: one row per counted vote between an open and a proprietary model.

Kept apart from the statistics so that the one query that knows the tables is small and easy to
follow when the schema changes. A row is oriented to the pair, not to the screen: `open_*` fields
describe the open side's answer whichever position (A or B) it was shown in.

What counts (the same rules as the leaderboard, plus one):
- a vote on a battle flagged `identity_leak` is left out unless `include_leaks`;
- a vote cast in named mode is left out unless `include_named`: the verdict is meant to answer
  "is it as good" from blind judgements, and a voter who sees the names may lean on them;
- only battles where one side's kind is `open` and the other's `proprietary` form a pair.

Imported votes (`load_source_votes(store, "arena")`, or `"all"` with the user's own) name models,
not contenders, and carry no kind, answers or timings. A model's kind is taken from the user's own
battles (an answer whose contender spec or model name is the same, ignoring case, and that always
had the one kind), else `proprietary` when the price table lists it under a provider whose models
are all proprietary (`prices.listed_as_proprietary`), else it is unknown: a vote with a side of
unknown kind is left out and counted in `left_out` so the verdict can say so. Imported votes come
aggregated (a row stands for `count` votes) and have no cost or speed facts (their `SideFacts`
hold only the name). They are never named-mode or leak-flagged, so those switches do not touch
them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from desktop.core.providers import registry
from desktop.core.contenders.prices import listed_as_proprietary
from desktop.core.store.db import Store
from desktop.core.contenders.choices import OUTCOME_CHOICES
from desktop.core.store.sources import ALL, OWN, TEAM, resolve, vote_outcomes
from desktop.core.team.read import team_pair_rows

OPEN, PROPRIETARY = "open", "proprietary"


@dataclass(frozen=True)
class SideFacts:
    contender: str
    provider: str
    model: str
    ttft_s: float | None
    tokens_per_s: float | None
    prompt_tokens: int | None
    output_tokens: int | None
    cost_usd: float | None  # as recorded when the battle ran


@dataclass(frozen=True)
class PairVote:
    category: str  # as written on the battle
    result: str  # "open", "proprietary", "tie" or "both_bad": who won, from the open side's view
    voted_at: str | None  # None for imported votes (kept aggregated, without times)
    open: SideFacts
    proprietary: SideFacts
    count: int = 1  # how many votes the row stands for (imported votes come aggregated)


@dataclass
class SourceVotes:
    """The verdict's votes from one source (own, all, or an imported one), and what was left out."""

    source: str
    votes: list[PairVote]
    left_out: Counter = field(default_factory=Counter)  # lower-case category -> imported votes
    unknown_models: list[str] = field(default_factory=list)  # of unknown kind, most votes first


_SIDE_COLUMNS = ("contender", "provider", "model", "kind", "ttft_s", "tokens_per_s",
                 "prompt_tokens", "output_tokens", "cost_usd")


def load_pair_votes(
    store: Store, *, include_leaks: bool = False, include_named: bool = False
) -> list[PairVote]:
    """Every counted open-vs-proprietary vote, in the order the votes were recorded."""
    side = ", ".join(f"{{p}}.{c}" for c in _SIDE_COLUMNS)
    sql = (
        "SELECT v.category, v.choice, v.voted_at, b.mode, v.identity_leak, "
        + side.format(p="x") + ", " + side.format(p="y")
        + " FROM votes v JOIN battles b ON b.id = v.battle_id"
        " JOIN answers x ON x.battle_id = v.battle_id AND x.turn = 1 AND x.seat = 'a'"
        " JOIN answers y ON y.battle_id = v.battle_id AND y.turn = 1 AND y.seat = 'b'"
        " ORDER BY v.id"
    )
    width = len(_SIDE_COLUMNS)
    out: list[PairVote] = []
    with store.snapshot() as db:
        for row in db.execute(sql):
            category, choice, voted_at, mode, leaked = row[:5]
            if leaked and not include_leaks:
                continue
            if mode == "named" and not include_named:
                continue
            a, b = row[5:5 + width], row[5 + width:]
            kinds = (a[3], b[3])
            if kinds == (OPEN, PROPRIETARY):
                open_side, prop_side, open_position = a, b, "a"
            elif kinds == (PROPRIETARY, OPEN):
                open_side, prop_side, open_position = b, a, "b"
            else:
                continue
            if choice in ("a", "b"):
                result = OPEN if choice == open_position else PROPRIETARY
            else:
                result = choice
            out.append(PairVote(category, result, voted_at, _facts(open_side), _facts(prop_side)))
    return out


def load_source_votes(
    store: Store, source: str | None = OWN, *, include_leaks: bool = False,
    include_named: bool = False, voter: str | None = None,
) -> SourceVotes:
    """The counted open-vs-proprietary votes of `source` (SourceError if there is no such source):
    own votes as `load_pair_votes` reads them, then imported ones as aggregated rows; the team's
    (narrowed to `voter` if given) as counted by its server."""
    source = resolve(store, source)
    if source == TEAM:
        return team_votes(store, voter, include_leaks=include_leaks, include_named=include_named)
    own = (load_pair_votes(store, include_leaks=include_leaks, include_named=include_named)
           if source in (OWN, ALL) else [])
    loaded = SourceVotes(source, own)
    if source == OWN:
        return loaded
    data = vote_outcomes(store, source, imported_only=True)
    kinds = imported_kinds(store, data.contenders)
    unknown: Counter = Counter()
    choices = OUTCOME_CHOICES
    for a, b, code, count, category in zip(data.a.tolist(), data.b.tolist(),
                                           data.outcome.tolist(), data.count.tolist(),
                                           data.category.tolist()):
        name_a, name_b = data.contenders[a], data.contenders[b]
        pair = (kinds[name_a], kinds[name_b])
        if "" in pair:
            loaded.left_out[category] += count
            unknown.update({n: count for n in (name_a, name_b) if not kinds[n]})
            continue
        if pair == (OPEN, PROPRIETARY):
            open_name, prop_name, open_position = name_a, name_b, "a"
        elif pair == (PROPRIETARY, OPEN):
            open_name, prop_name, open_position = name_b, name_a, "b"
        else:
            continue
        choice = choices[code]
        if choice in ("a", "b"):
            result = OPEN if choice == open_position else PROPRIETARY
        else:
            result = choice
        loaded.votes.append(PairVote(data.category_names[category], result, None,
                                     _named(open_name), _named(prop_name), count))
    loaded.unknown_models = [name for name, _ in unknown.most_common()]
    return loaded


def team_votes(store: Store, voter: str | None, *, include_leaks: bool,
               include_named: bool) -> SourceVotes:
    """The team's votes as aggregated rows: the same rules as own votes (leaks and named-mode
    votes left out unless asked), kinds as each voter's battle recorded them; no cost or speed."""
    loaded = SourceVotes(TEAM, [])
    for category, ca, cb, ka, kb, choice, leaked, mode, count in team_pair_rows(store, voter):
        if (leaked and not include_leaks) or (mode == "named" and not include_named):
            continue
        if (ka, kb) == (OPEN, PROPRIETARY):
            open_name, prop_name, open_position = ca, cb, "a"
        elif (ka, kb) == (PROPRIETARY, OPEN):
            open_name, prop_name, open_position = cb, ca, "b"
        else:
            continue
        if choice in ("a", "b"):
            result = OPEN if choice == open_position else PROPRIETARY
        else:
            result = choice
        loaded.votes.append(PairVote(category, result, None, _named(open_name),
                                     _named(prop_name), count))
    return loaded


def imported_kinds(store: Store, names: list[str]) -> dict[str, str]:
    """`open`, `proprietary` or "" (unknown) for each imported model name (see the docstring)."""
    seen: dict[str, set[str]] = {}
    with store.snapshot() as db:
        for contender, model, kind in db.execute(
                "SELECT DISTINCT contender, model, kind FROM answers "
                "WHERE kind IN ('open', 'proprietary')"):
            for name in (contender, model):
                if name:
                    seen.setdefault(name.lower(), set()).add(kind)
    proprietary = [p.name for p in registry.providers() if p.kind == PROPRIETARY and p.priced]
    out = {}
    for name in names:
        kinds = seen.get(name.lower(), set())
        if len(kinds) == 1:
            out[name] = next(iter(kinds))
        elif not kinds and listed_as_proprietary(name, proprietary):
            out[name] = PROPRIETARY
        else:  # never seen, or seen as both kinds (a compat: model run both ways)
            out[name] = ""
    return out


def _named(name: str) -> SideFacts:
    """An imported side: a model name and nothing measured (provider "" prices nothing)."""
    return SideFacts(name, "", name, None, None, None, None, None)


def _facts(values: tuple) -> SideFacts:
    contender, provider, model, _kind, ttft, tps, prompt_tokens, output_tokens, cost = values
    return SideFacts(contender, provider, model or "", ttft, tps, prompt_tokens, output_tokens,
                     cost)
