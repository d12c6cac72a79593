"""Judged battles as the agreement and the judged verdict read them: one row per judge verdict,
with the battle's pair, category, the user's vote (if it counts) and each seat's answer length.

Which votes count is the verdict's rule (desktop/core/stats/pair_votes.py): a vote on a battle
flagged as an identity leak, or cast with the names shown, is left out unless asked for; such a
battle still counts as judged, just not as voted.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop.core.store.db import Store

_LENGTH = ("(SELECT coalesce(sum(length(text)), 0) FROM answers WHERE battle_id = b.id "
           "AND seat = '{seat}' AND error_kind IS NULL)")


@dataclass(frozen=True)
class JudgedBattle:
    battle_id: str
    judge: str
    verdict: str  # a, b, tie, inconsistent, unparsable
    category: str
    human: str | None  # the counted vote: a, b, tie, both_bad; None when none counts
    length_a: int  # characters of each seat's answers over the conversation
    length_b: int
    open_seat: str  # 'a' or 'b'; '' when the battle is not open vs proprietary
    open: str  # contender specs of the pair ('' when not a pair)
    proprietary: str
    cost_usd: float | None

    @property
    def human_pick(self) -> str | None:
        """The vote as the judge's vocabulary has it: both bad is a tie (neither preferred)."""
        return "tie" if self.human == "both_bad" else self.human

    def open_score(self, pick: str | None) -> float:
        """1 when `pick` is the open seat, 0 the other, ½ otherwise (tie, no verdict)."""
        if pick == self.open_seat:
            return 1.0
        if pick in ("a", "b"):
            return 0.0
        return 0.5


def load_judged(store: Store, judge: str | None = None, *, include_leaks: bool = False,
                include_named: bool = False) -> list[JudgedBattle]:
    """Every judge verdict (of `judge`, or of every judge), oldest battle first."""
    sql = (
        "SELECT j.battle_id, j.judge, j.verdict, b.category, v.choice, b.identity_leak, b.mode, "
        + _LENGTH.format(seat="a") + ", " + _LENGTH.format(seat="b") + ", "
        "x.contender, x.kind, y.contender, y.kind, j.cost_usd"
        " FROM judge_verdicts j JOIN battles b ON b.id = j.battle_id"
        " JOIN answers x ON x.battle_id = b.id AND x.turn = 1 AND x.seat = 'a'"
        " JOIN answers y ON y.battle_id = b.id AND y.turn = 1 AND y.seat = 'b'"
        " LEFT JOIN votes v ON v.battle_id = b.id"
    )
    params: tuple = ()
    if judge is not None:
        sql += " WHERE j.judge = ?"
        params = (judge,)
    sql += " ORDER BY b.created_at, b.id"
    out = []
    with store.snapshot() as db:
        for (battle_id, spec, verdict, category, choice, leak, mode, la, lb, ca, ka, cb, kb,
             cost) in db.execute(sql, params):
            if choice is not None and ((leak and not include_leaks)
                                       or (mode == "named" and not include_named)):
                choice = None
            if (ka, kb) == ("open", "proprietary"):
                seat, open_spec, prop_spec = "a", ca, cb
            elif (ka, kb) == ("proprietary", "open"):
                seat, open_spec, prop_spec = "b", cb, ca
            else:
                seat, open_spec, prop_spec = "", "", ""
            out.append(JudgedBattle(battle_id, spec, verdict, category, choice, la, lb, seat,
                                    open_spec, prop_spec, cost))
    return out
