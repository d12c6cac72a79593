"""The verdict: for each (open, proprietary) pair and each category, is the open model as good?

Method (docs/verdict.md says the same, for users):
- The open side's **win rate** = (open wins + ½ ties + ½ both bad) / votes. "Both bad" counts as a
  tie, as everywhere else in the app (and in Chatbot Arena): neither answer was preferred.
- Its **95 % interval** is the Wilson score interval on that fractional count. With ties the
  true variance of a vote's score is below the binomial p(1 − p) that Wilson assumes, so the
  interval is, if anything, a little wide (conservative): it errs towards "undecided".
- **Decision**, with the margin m (default 10 points):
  `as_good` when the whole interval lies within [50 − m, 50 + m] %; otherwise `better` when it
  lies wholly above 50 %, `worse` when wholly below; otherwise `undecided`. `as_good` is checked
  first: a difference smaller than the margin is, by the user's own setting, not one that matters,
  even when it is significant (an interval of 52–58 % reads "as good", not "better").
- **votes_needed** (undecided rows only): how many *more* votes would decide it if the win rate
  stayed at the observed value, i.e. the smallest total N whose Wilson interval around the
  observed rate falls in one of the decided regions, minus the votes so far. It assumes the
  votes to come look like those so far; with a handful of votes the observed rate is itself
  rough, so read it as an order of magnitude. `None` when no number of votes up to
  `MAX_VOTES` would decide it.
- **Cost per 1,000 prompts**: the mean cost of one answer × 1,000, each answer priced from its
  recorded token counts with today's price table (`desktop/core/contenders/prices.py`), falling back to the
  cost recorded at the time for a model the table no longer lists. `None` when no answer could
  be priced. **ttft_s** and **tokens_per_s**: medians over the answers that report them.
- **Imported votes** (`source_verdict` over `pair_votes.load_source_votes`) count like the user's
  own but come aggregated (`PairVote.count`) and without answers, so they add to the counts and
  not to cost or speed (null for a pair with imported votes only). Votes whose model's kind is
  unknown are left out and counted (`left_out_unknown_kind`).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from desktop.core.providers import registry
from desktop.core.contenders.answer import Answer
from desktop.core.contenders.prices import cost_usd
from desktop.core.stats.pair_votes import OPEN, PROPRIETARY, PairVote, SideFacts, SourceVotes
from desktop.core.stats.tallies import wilson_interval

ALL = "all"
DEFAULT_MARGIN = 0.10
MAX_VOTES = 10_000_000


def format_usd(value: float | None, unknown: str = "?") -> str:
    """Cost for the verdict's faces (CLI, window, report): cents to two places, fractions of
    a cent to four, `unknown` where the price table has no price."""
    if value is None:
        return unknown
    return f"${value:.2f}" if value >= 0.1 or value == 0 else f"${value:.4f}"


def format_number(value: float | None, digits: int, unknown: str = "?") -> str:
    return unknown if value is None else f"{value:.{digits}f}"

AS_GOOD, BETTER, WORSE, UNDECIDED = "as_good", "better", "worse", "undecided"
DECISION_WORDS = {
    AS_GOOD: "as good",
    BETTER: "better",
    WORSE: "worse",
    UNDECIDED: "undecided",
}


@dataclass
class PairVerdict:
    open: str
    proprietary: str
    open_model: str
    proprietary_model: str
    category: str  # "all" or a category as written
    votes: int
    open_wins: int
    proprietary_wins: int
    ties: int
    both_bad: int
    open_win_rate: float
    ci_low: float
    ci_high: float
    decision: str
    votes_needed: int | None
    cost_per_1000: dict[str, float | None]  # {"open": ..., "proprietary": ...} in USD
    ttft_s: dict[str, float | None]
    tokens_per_s: dict[str, float | None]
    # With `verdict --judge`: judge, judge_votes, human_votes, agreement, effective_votes
    # (desktop/core/judge/verdict.py); None in the user's own verdict.
    judged: dict | None = None

    def to_dict(self) -> dict:
        out = {
            "open": self.open,
            "proprietary": self.proprietary,
            "category": self.category,
            "votes": self.votes,
            "open_wins": self.open_wins,
            "proprietary_wins": self.proprietary_wins,
            "ties": self.ties,
            "both_bad": self.both_bad,
            "open_win_rate": round(self.open_win_rate, 4),
            "ci_low": round(self.ci_low, 4),
            "ci_high": round(self.ci_high, 4),
            "decision": self.decision,
            "votes_needed": self.votes_needed,
            "cost_per_1000": {k: _round(v, 4) for k, v in self.cost_per_1000.items()},
            "ttft_s": {k: _round(v, 3) for k, v in self.ttft_s.items()},
            "tokens_per_s": {k: _round(v, 1) for k, v in self.tokens_per_s.items()},
        }
        if self.judged is not None:
            out.update(self.judged)
        return out


@dataclass
class Verdict:
    margin: float  # a fraction: 0.10 is ±10 points
    pairs: list[PairVerdict]  # per pair: "all" first, then categories alphabetically
    votes: int  # open-vs-proprietary votes counted (every category)
    first_vote: str | None  # UTC ISO time of the earliest counted own vote
    last_vote: str | None
    source: str = "own"  # whose votes: own, all, or an imported source's name
    left_out_unknown_kind: int = 0  # imported votes left out: a side's kind is unknown
    unknown_models: list[str] = field(default_factory=list)  # those models, most votes first
    judge: str | None = None  # the judge spec of `verdict --judge`

    @property
    def used_judge(self) -> bool:
        return any(p.judged and p.judged.get("judge") for p in self.pairs)

    def to_dict(self) -> dict:
        out = {"margin": self.margin, "pairs": [p.to_dict() for p in self.pairs]}
        if self.source != "own":  # the user's own verdict reads exactly as it always has
            out["source"] = self.source
            out["left_out_unknown_kind"] = self.left_out_unknown_kind
        if self.judge is not None:
            out["judge"] = self.judge
        return out


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def decide(low: float, high: float, margin: float) -> str:
    if low >= 0.5 - margin - 1e-12 and high <= 0.5 + margin + 1e-12:
        return AS_GOOD
    if low > 0.5:
        return BETTER
    if high < 0.5:
        return WORSE
    return UNDECIDED


def interval(score: float, votes: int) -> tuple[float, float]:
    low, high = wilson_interval(score, votes)
    return float(low), float(high)


def votes_needed(rate: float, votes: int, margin: float) -> int | None:
    """More votes that would decide it at the observed `rate` (see the module docstring)."""

    def decided(total: int) -> bool:
        return decide(*interval(rate * total, total), margin) != UNDECIDED

    return more_votes_until(decided, votes)


def more_votes_until(decided, votes: int) -> int | None:
    """How many more votes than `votes` until `decided(total)` holds (None beyond MAX_VOTES):
    the interval shrinks as votes grow, so double until it decides, then bisect."""
    if decided(votes):
        return 0
    high = max(votes, 1)
    while not decided(high):
        if high >= MAX_VOTES:
            return None
        high = min(high * 2, MAX_VOTES)
    low = max(votes, high // 2)  # undecided at `low` (or it is the starting count)
    while high - low > 1:
        mid = (low + high) // 2
        if decided(mid):
            high = mid
        else:
            low = mid
    return high - votes


def _median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return float(statistics.median(present)) if present else None


def _cost(side: SideFacts) -> float | None:
    if not side.provider:  # an imported vote: no answer, no tokens, nothing to price
        return None
    info = registry.get(side.provider)
    answer = Answer(contender=side.contender, provider=side.provider, kind="", model=side.model,
                    prompt_tokens=side.prompt_tokens, output_tokens=side.output_tokens,
                    priced=info.priced if info else True)
    cost = cost_usd(answer)
    return side.cost_usd if cost is None else cost


def _per_1000(costs: list[float | None]) -> float | None:
    present = [c for c in costs if c is not None]
    return 1000.0 * sum(present) / len(present) if present else None


def pair_verdict(open_spec: str, proprietary_spec: str, category: str, votes: list[PairVote],
                 margin: float, costs: dict | None = None) -> PairVerdict:
    """One row. `costs` memoises prices for one computation (answers repeat token counts)."""
    costs = {} if costs is None else costs

    def cost(side: SideFacts) -> float | None:
        if side not in costs:
            costs[side] = _cost(side)
        return costs[side]

    n = sum(v.count for v in votes)
    wins = sum(v.count for v in votes if v.result == OPEN)
    losses = sum(v.count for v in votes if v.result == PROPRIETARY)
    ties = sum(v.count for v in votes if v.result == "tie")
    both_bad = n - wins - losses - ties
    score = wins + 0.5 * (ties + both_bad)
    rate = score / n if n else 0.5
    low, high = interval(score, n)
    decision = decide(low, high, margin)
    needed = votes_needed(rate, n, margin) if decision == UNDECIDED else None
    sides = {OPEN: [v.open for v in votes], PROPRIETARY: [v.proprietary for v in votes]}
    return PairVerdict(
        open=open_spec, proprietary=proprietary_spec,
        open_model=votes[-1].open.model if votes else "",
        proprietary_model=votes[-1].proprietary.model if votes else "",
        category=category, votes=n, open_wins=wins, proprietary_wins=losses, ties=ties,
        both_bad=both_bad, open_win_rate=rate, ci_low=low, ci_high=high, decision=decision,
        votes_needed=needed,
        cost_per_1000={k: _per_1000([cost(s) for s in v]) for k, v in sides.items()},
        ttft_s={k: _median([s.ttft_s for s in v]) for k, v in sides.items()},
        tokens_per_s={k: _median([s.tokens_per_s for s in v]) for k, v in sides.items()},
    )


def compute_verdict(votes: list[PairVote], category: str | None = None,
                    margin: float = DEFAULT_MARGIN) -> Verdict:
    """Verdict rows for every pair: the overall row ("all") and one per category with votes.
    With `category`, only that category's rows ("all" gives only the overall rows)."""
    if not 0 <= margin < 0.5:
        raise ValueError("the margin must be at least 0 and below 50 points")
    by_pair: dict[tuple[str, str], list[PairVote]] = {}
    names: dict[str, str] = {}  # lower-case category -> as first written
    for v in votes:
        by_pair.setdefault((v.open.contender, v.proprietary.contender), []).append(v)
        names.setdefault(v.category.lower(), v.category)
    wanted = category.lower() if category else None
    rows: list[PairVerdict] = []
    costs: dict = {}
    for (open_spec, prop_spec), pair in sorted(by_pair.items()):
        if wanted in (None, ALL):
            rows.append(pair_verdict(open_spec, prop_spec, ALL, pair, margin, costs))
        if wanted == ALL:
            continue
        groups: dict[str, list[PairVote]] = {}
        for v in pair:
            groups.setdefault(v.category.lower(), []).append(v)
        for key in sorted(groups):
            if wanted is None or key == wanted:
                rows.append(pair_verdict(open_spec, prop_spec, names[key], groups[key], margin,
                                         costs))
    times = [v.voted_at for v in votes if v.voted_at is not None]
    return Verdict(margin=margin, pairs=rows, votes=sum(v.count for v in votes),
                   first_vote=min(times) if times else None,
                   last_vote=max(times) if times else None)


def source_verdict(loaded: SourceVotes, category: str | None = None,
                   margin: float = DEFAULT_MARGIN) -> Verdict:
    """`compute_verdict` over a source's votes, saying how many imported votes were left out
    (in the category asked, if one was) because a side's kind is unknown."""
    verdict = compute_verdict(loaded.votes, category, margin)
    wanted = category.lower() if category and category.lower() != ALL else None
    verdict.source = loaded.source
    verdict.left_out_unknown_kind = sum(
        n for key, n in loaded.left_out.items() if wanted is None or key == wanted)
    verdict.unknown_models = list(loaded.unknown_models) if verdict.left_out_unknown_kind else []
    return verdict


def categories_with_votes(votes: list[PairVote]) -> list[str]:
    names: dict[str, str] = {}
    for v in votes:
        names.setdefault(v.category.lower(), v.category)
    return sorted(names.values(), key=str.lower)
