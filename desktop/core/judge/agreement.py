"""How well a judge agrees with this user: per judge, overall and per category.

Over battles with both a counted vote and a consistent judge verdict ('a', 'b' or 'tie'; the
user's "both bad" counts as a tie, neither answer preferred):
- `agreement`: the share where the judge picked what the user picked (ties included);
- `agreement_without_ties`: the same over battles where neither called it a tie;
- `kappa`: Cohen's kappa over the three outcomes (a, b, tie), agreement beyond what the two
  would reach by chance given how often each says what; 95 % interval from its large-sample
  standard error √(pₒ(1 − pₒ)/(n(1 − pₑ)²)) (Cohen 1960), clipped to [−1, 1];
Over every battle the judge judged:
- `consistent_share`: the share whose two orders agreed (the rest: inconsistent or unparsable);
- `prefers_longer`: of its consistent, non-tie verdicts on answers of different lengths, the
  share that picked the longer answer (0.5 = no length bias). `user_prefers_longer` is the same
  for the user's votes on those battles, for comparison.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from desktop.core.judge.data import JudgedBattle
from desktop.core.stats.tallies import Z95
from desktop.core.store.judge_verdicts import CONSISTENT

ALL = "all"


@dataclass
class Agreement:
    judge: str
    category: str
    judged: int
    consistent: int
    inconsistent: int
    unparsable: int
    consistent_share: float | None
    both: int  # battles with a counted vote and a consistent verdict
    agreement: float | None
    agreement_without_ties: float | None
    kappa: float | None
    kappa_low: float | None
    kappa_high: float | None
    prefers_longer: float | None
    user_prefers_longer: float | None

    def to_dict(self) -> dict:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def _share(hits: int, total: int) -> float | None:
    return hits / total if total else None


def cohen_kappa(pairs: list[tuple[str, str]]) -> tuple[float | None, float | None, float | None]:
    """(kappa, low, high) for (judge, user) picks; None where chance agreement is certain."""
    n = len(pairs)
    if not n:
        return None, None, None
    observed = sum(j == h for j, h in pairs) / n
    expected = sum((sum(j == c for j, _ in pairs) / n) * (sum(h == c for _, h in pairs) / n)
                   for c in CONSISTENT)
    if expected >= 1:
        return None, None, None
    kappa = (observed - expected) / (1 - expected)
    se = math.sqrt(observed * (1 - observed) / (n * (1 - expected) ** 2))
    return kappa, max(-1.0, kappa - Z95 * se), min(1.0, kappa + Z95 * se)


def _longer(rows: list[JudgedBattle], pick) -> float | None:
    hits = total = 0
    for r in rows:
        chosen = pick(r)
        if chosen not in ("a", "b") or r.length_a == r.length_b:
            continue
        total += 1
        hits += chosen == ("a" if r.length_a > r.length_b else "b")
    return _share(hits, total)


def agreement_for(judge: str, category: str, rows: list[JudgedBattle]) -> Agreement:
    consistent = [r for r in rows if r.verdict in CONSISTENT]
    both = [r for r in consistent if r.human_pick is not None]
    pairs = [(r.verdict, r.human_pick) for r in both]
    decisive = [(j, h) for j, h in pairs if j != "tie" and h != "tie"]
    kappa, low, high = cohen_kappa(pairs)
    return Agreement(
        judge=judge, category=category, judged=len(rows), consistent=len(consistent),
        inconsistent=sum(r.verdict == "inconsistent" for r in rows),
        unparsable=sum(r.verdict == "unparsable" for r in rows),
        consistent_share=_share(len(consistent), len(rows)), both=len(both),
        agreement=_share(sum(j == h for j, h in pairs), len(pairs)),
        agreement_without_ties=_share(sum(j == h for j, h in decisive), len(decisive)),
        kappa=kappa, kappa_low=low, kappa_high=high,
        prefers_longer=_longer(consistent, lambda r: r.verdict),
        user_prefers_longer=_longer(both, lambda r: r.human_pick),
    )


def agreements(rows: list[JudgedBattle]) -> list[Agreement]:
    """Per judge (alphabetically): the overall row, then one per category alphabetically."""
    out = []
    by_judge: dict[str, list[JudgedBattle]] = {}
    for r in rows:
        by_judge.setdefault(r.judge, []).append(r)
    for judge in sorted(by_judge):
        judged = by_judge[judge]
        out.append(agreement_for(judge, ALL, judged))
        groups: dict[str, list[JudgedBattle]] = {}
        names: dict[str, str] = {}
        for r in judged:
            groups.setdefault(r.category.lower(), []).append(r)
            names.setdefault(r.category.lower(), r.category)
        for key in sorted(groups):
            out.append(agreement_for(judge, names[key], groups[key]))
    return out
