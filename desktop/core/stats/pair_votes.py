"""The votes the verdict reads: one row per counted vote between an open and a proprietary model.

Kept apart from the statistics so that the one query that knows the tables is small and easy to
follow when the schema changes. A row is oriented to the pair, not to the screen: `open_*` fields
describe the open side's answer whichever position (A or B) it was shown in.

What counts (the same rules as the leaderboard, plus one):
- a vote on a battle flagged `identity_leak` is left out unless `include_leaks`;
- a vote cast in named mode is left out unless `include_named`: the verdict is meant to answer
  "is it as good" from blind judgements, and a voter who sees the names may lean on them;
- only battles where one side's kind is `open` and the other's `proprietary` form a pair.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop.core.store.db import Store

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
    voted_at: str
    open: SideFacts
    proprietary: SideFacts


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


def _facts(values: tuple) -> SideFacts:
    contender, provider, model, _kind, ttft, tps, prompt_tokens, output_tokens, cost = values
    return SideFacts(contender, provider, model or "", ttft, tps, prompt_tokens, output_tokens,
                     cost)
