"""A model judge's verdicts, stored apart from the user's votes (table `judge_verdicts`).

Invariants:
- One row per (battle, judge spec); a battle is judged once per judge, so `sidebyside judge` can
  stop at any point and carry on later with what is left (`unjudged_battles`).
- `verdict` is a seat ('a' or 'b'), 'tie', 'inconsistent' (the two orders disagreed: position
  bias) or 'unparsable' (a reply had no `[[A]]`/`[[B]]`/`[[C]]`). `pick_ab`/`pick_ba` are what
  each order said, mapped back to seats ('a', 'b', 'tie' or NULL when unparsable).
- Nothing here touches `votes`; only code that asks for a judge reads this table.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop.core.store.db import Store, utc_now

VERDICTS = ("a", "b", "tie", "inconsistent", "unparsable")
CONSISTENT = ("a", "b", "tie")


@dataclass(frozen=True)
class JudgeVerdict:
    battle_id: str
    judge: str
    verdict: str
    reply_ab: str  # the reply with seat A shown as "Assistant A"
    reply_ba: str  # the reply with seat B shown as "Assistant A"
    pick_ab: str | None
    pick_ba: str | None
    cost_usd: float | None
    judge_s: float | None
    judged_at: str = ""


@dataclass(frozen=True)
class BattleToJudge:
    """What a judge needs to know to pick a battle: the pair and category (not the texts)."""

    battle_id: str
    category: str
    open: str  # the open side's contender spec ("" when neither or both seats are open)
    proprietary: str


def save_verdict(store: Store, verdict: JudgeVerdict) -> JudgeVerdict:
    """Record one verdict (replacing an earlier one by the same judge) in one transaction."""
    if verdict.verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {VERDICTS}, not {verdict.verdict!r}")
    judged_at = verdict.judged_at or utc_now()
    with store.transaction("save the judge's verdict") as db:
        db.execute(
            "INSERT OR REPLACE INTO judge_verdicts (battle_id, judge, verdict, reply_ab, "
            "reply_ba, pick_ab, pick_ba, cost_usd, judge_s, judged_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (verdict.battle_id, verdict.judge, verdict.verdict, verdict.reply_ab,
             verdict.reply_ba, verdict.pick_ab, verdict.pick_ba, verdict.cost_usd,
             verdict.judge_s, judged_at),
        )
    return JudgeVerdict(**{**verdict.__dict__, "judged_at": judged_at})


def get_verdict(store: Store, battle_id: str, judge: str | None = None) -> JudgeVerdict | None:
    """The verdict on a battle by `judge` (None: the most recent by any judge)."""
    sql = ("SELECT battle_id, judge, verdict, reply_ab, reply_ba, pick_ab, pick_ba, cost_usd, "
           "judge_s, judged_at FROM judge_verdicts WHERE battle_id = ?")
    params: tuple = (battle_id,)
    if judge is not None:
        sql += " AND judge = ?"
        params += (judge,)
    sql += " ORDER BY judged_at DESC LIMIT 1"
    with store.read() as db:
        row = db.execute(sql, params).fetchone()
    return JudgeVerdict(*row) if row else None


def judges(store: Store) -> list[str]:
    """Every judge spec with a verdict, alphabetically."""
    with store.read() as db:
        return [r[0] for r in db.execute("SELECT DISTINCT judge FROM judge_verdicts ORDER BY 1")]


def judges_with_votes(store: Store) -> list[str]:
    """Judges with a verdict on at least one voted battle: those that can help a verdict.
    Listing only these keeps a judge of not-yet-voted battles out of sight (docs/judge.md)."""
    with store.read() as db:
        return [r[0] for r in db.execute(
            "SELECT DISTINCT j.judge FROM judge_verdicts j JOIN votes v "
            "ON v.battle_id = j.battle_id ORDER BY 1")]


def verdicts_by(store: Store, judge: str) -> dict[str, str]:
    """battle id -> verdict, for every battle `judge` has judged."""
    with store.read() as db:
        return dict(db.execute("SELECT battle_id, verdict FROM judge_verdicts WHERE judge = ?",
                               (judge,)))


def unjudged_battles(store: Store, judge: str) -> list[BattleToJudge]:
    """Battles (voted or not) without a verdict from `judge`, oldest first, with the pair their
    opening seats form. A battle whose opening turn did not finish has nothing to judge."""
    sql = (
        "SELECT b.id, b.category, x.contender, x.kind, y.contender, y.kind FROM battles b"
        " JOIN answers x ON x.battle_id = b.id AND x.turn = 1 AND x.seat = 'a'"
        " JOIN answers y ON y.battle_id = b.id AND y.turn = 1 AND y.seat = 'b'"
        " WHERE NOT EXISTS (SELECT 1 FROM judge_verdicts j WHERE j.battle_id = b.id"
        " AND j.judge = ?)"
        " AND x.error_kind IS NULL AND y.error_kind IS NULL"
        " ORDER BY b.created_at, b.id"
    )
    out = []
    with store.read() as db:
        for battle_id, category, ca, ka, cb, kb in db.execute(sql, (judge,)):
            if (ka, kb) == ("open", "proprietary"):
                out.append(BattleToJudge(battle_id, category, ca, cb))
            elif (ka, kb) == ("proprietary", "open"):
                out.append(BattleToJudge(battle_id, category, cb, ca))
            else:
                out.append(BattleToJudge(battle_id, category, "", ""))
    return out
