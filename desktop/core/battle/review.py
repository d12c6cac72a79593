"""Review: vote on battles that were run without a vote (a batch, or a Compare round left open),
at reading speed. The Review tab and `sidebyside review` both drive a `ReviewSession`.

- **The queue.** Battles without a vote that can take one (no failed or stopped side), oldest
  first, optionally only those of one batch (by the set's name), one category or one pair of
  contenders (either order). With `order="next"` the undecided categories nearest a decision
  come first, battles in a seeded random order within a category (`stats.vote_order`, the
  rule of docs/verdict.md "What to vote next"). `queue_rows` lists it for `review --list`: a blind battle's pair is
  not given (it has no vote yet, so its names stay hidden).
- **Voting.** `vote` casts the vote exactly as Compare does (`cast_vote`: the same row, so it
  counts the same in the leaderboard, verdict, report, export and starter-set progress) and
  returns the one-line reveal (which seat was which) and the count ("12 of 140 reviewed").
  `undo` takes back the last vote cast in this review (and only this review's), and puts that
  battle back on screen.
- **Blind rules as in Compare.** `current` is the record; a face shows seats A and B, and no name,
  timing or count before its vote (the same `revealed` rule as the round session: named, or
  voted).

Qt-free. The window calls it from its database thread; `peek` lets it prepare the next battle
while the user reads the current one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from desktop.core.battle.judge_line import judge_line_after_vote
from desktop.core.contenders.choices import VOTE_CHOSEN
from desktop.core.providers.registry import label as provider_label
from desktop.core.stats.vote_order import order_ids
from desktop.core.store.battles import BattleRecord, get_battle
from desktop.core.store.db import Store
from desktop.core.store.votes import VoteReceipt, cast_vote, vote_blocker



@dataclass(frozen=True)
class ReviewFilter:
    set_name: str | None = None  # a batch's name (a starter set or a file name)
    category: str | None = None
    pair: tuple[str, str] | None = None  # two contender specs, either order
    order: str = "oldest"  # or "next": nearest decision first (see the module docstring)
    seed: int = 0  # the shuffle within a category, with order="next"


@dataclass
class QueueRow:
    battle_id: str
    prompt: str  # its start
    pair: list[str] | None  # [left, right] specs for a named battle; None while blind
    category: str
    created: str

    def to_dict(self) -> dict:
        return {"battle_id": self.battle_id, "prompt": self.prompt, "pair": self.pair,
                "category": self.category, "created": self.created}


def _where(flt: ReviewFilter) -> tuple[str, list]:
    sql = ["NOT EXISTS (SELECT 1 FROM votes v WHERE v.battle_id = b.id)",
           "NOT EXISTS (SELECT 1 FROM answers x WHERE x.battle_id = b.id AND "
           "(x.error_kind IS NOT NULL OR x.finish_reason IN ('error', 'cancelled')))"]
    args: list = []
    if flt.category:
        sql.append("b.category = ? COLLATE NOCASE")
        args.append(flt.category)
    if flt.set_name:
        sql.append("b.id IN (SELECT bb.battle_id FROM batch_battles bb JOIN batches s "
                   "ON s.id = bb.batch_id WHERE s.name = ?)")
        args.append(flt.set_name)
    if flt.pair:
        sql.append("(SELECT group_concat(contender, char(10)) FROM (SELECT DISTINCT contender "
                   "FROM answers y WHERE y.battle_id = b.id ORDER BY contender)) = ?")
        args.append("\n".join(sorted(set(flt.pair))))
    return " AND ".join(sql), args


ORDERS = ("oldest", "next")


def _ordered(store: Store, flt: ReviewFilter, ids: list[str]) -> list[str]:
    return order_ids(store, ids, flt.seed) if flt.order == "next" else ids


def review_queue(store: Store, flt: ReviewFilter = ReviewFilter()) -> list[str]:
    """The ids of the battles waiting for a vote, oldest first (or as `flt.order` says)."""
    where, args = _where(flt)
    with store.read() as db:
        rows = db.execute(f"SELECT b.id FROM battles b WHERE {where} "
                          "ORDER BY b.created_at, b.rowid", args).fetchall()
    return _ordered(store, flt, [row[0] for row in rows])


def queue_rows(store: Store, flt: ReviewFilter = ReviewFilter()) -> list[QueueRow]:
    """The queue for `review --list`: one row per waiting battle (see the module docstring)."""
    where, args = _where(flt)
    with store.read() as db:
        rows = db.execute(
            "SELECT b.id, substr(b.prompt, 1, 60), b.mode, b.a_slot, b.category, b.created_at, "
            "(SELECT contender FROM answers y WHERE y.battle_id = b.id AND y.seat = 'a' "
            " AND y.turn = 1), "
            "(SELECT contender FROM answers y WHERE y.battle_id = b.id AND y.seat = 'b' "
            " AND y.turn = 1) "
            f"FROM battles b WHERE {where} ORDER BY b.created_at, b.rowid", args).fetchall()
    out = []
    for battle_id, prompt, mode, a_slot, category, created, spec_a, spec_b in rows:
        pair = None
        if mode != "blind":  # names_shown for a waiting battle (it has no vote): named only
            pair = [spec_a, spec_b] if a_slot == "left" else [spec_b, spec_a]
        out.append(QueueRow(battle_id, " ".join(prompt.split()), pair, category, created))
    by_id = {row.battle_id: row for row in out}
    return [by_id[i] for i in _ordered(store, flt, list(by_id))]


def pairs_waiting(store: Store) -> list[tuple[str, str]]:
    """The pairs of contenders that have battles waiting (the pair filter's choices)."""
    where, args = _where(ReviewFilter())
    with store.read() as db:
        rows = db.execute(
            "SELECT DISTINCT (SELECT group_concat(contender, char(10)) FROM (SELECT DISTINCT "
            "contender FROM answers y WHERE y.battle_id = b.id ORDER BY contender)) "
            f"FROM battles b WHERE {where}", args).fetchall()
    pairs = []
    for (joined,) in rows:
        specs = (joined or "").split("\n")
        pairs.append((specs[0], specs[-1]))
    return sorted(set(pairs))


def delete_vote(store: Store, battle_id: str) -> bool:
    """Take a vote back (Review's Ctrl+Z); the battle waits for a vote again."""
    with store.transaction("take the vote back") as db:
        return db.execute("DELETE FROM votes WHERE battle_id = ?", (battle_id,)).rowcount > 0


def name_of(answer) -> str:
    return f"{answer.model or answer.contender} · {provider_label(answer.provider)}"


def reveal_line(record: BattleRecord, choice: str | None = None) -> str:
    """After the vote, one line: which seat was which, and what was chosen (`choice`, or the
    record's own vote)."""
    choice = choice or (record.vote.choice if record.vote else None)
    said = f" ({VOTE_CHOSEN[choice]})" if choice else ""
    return f"A was {name_of(record.a)}, B was {name_of(record.b)}{said}."


@dataclass
class ReviewVote:
    receipt: VoteReceipt
    reveal: str  # the one-line reveal
    count: str  # "12 of 140 reviewed"
    judge: str | None = None  # what a model judge said of it: asked only now, after the vote


@dataclass
class ReviewSession:
    store: Store
    filter: ReviewFilter = field(default_factory=ReviewFilter)
    ids: list[str] = field(default_factory=list)
    position: int = 0  # the index in `ids` of the battle on screen
    voted: list[str] = field(default_factory=list)  # this review's votes, in order

    def __post_init__(self) -> None:
        if not self.ids:
            self.ids = review_queue(self.store, self.filter)

    @property
    def total(self) -> int:
        return len(self.ids)

    @property
    def count(self) -> str:
        return f"{len(self.voted)} of {self.total} reviewed"

    def load(self, index: int) -> BattleRecord | None:
        """The battle at `index` of the queue, or None past its end. A battle voted on
        elsewhere meanwhile, or deleted, is skipped (it is dropped from the queue)."""
        while index < len(self.ids):
            record = get_battle(self.store, self.ids[index])
            if record is not None and vote_blocker(record) is None:
                return record
            del self.ids[index]
        return None

    def current(self) -> BattleRecord | None:
        return self.load(self.position)

    def peek(self) -> BattleRecord | None:
        """The battle after the current one (prepared while the user reads)."""
        return self.load(self.position + 1)

    def vote(self, battle_id: str, choice: str, decide_s: float | None = None) -> ReviewVote:
        """Vote on the battle on screen and move on; raises VoteRefused."""
        receipt = cast_vote(self.store, battle_id, choice, decide_s=decide_s)
        self.voted.append(battle_id)
        if self.position < len(self.ids) and self.ids[self.position] == battle_id:
            self.position += 1
        return ReviewVote(receipt, reveal_line(receipt.battle), self.count,
                          judge_line_after_vote(self.store, battle_id))

    def undo(self) -> BattleRecord | None:
        """Take back this review's last vote and go back to that battle; None if none."""
        if not self.voted:
            return None
        battle_id = self.voted.pop()
        delete_vote(self.store, battle_id)
        if battle_id in self.ids:
            self.position = self.ids.index(battle_id)
        else:
            self.ids.insert(self.position, battle_id)
        return get_battle(self.store, battle_id)
