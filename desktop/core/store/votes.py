"""Votes: one per battle, committed durably before the caller is told it was recorded.

`cast_vote` runs one `BEGIN IMMEDIATE` transaction: it reads the battle, refuses with a reason
the user can act on (no such battle, already voted, a side failed or was stopped), inserts the
vote and commits with `synchronous=FULL` (the WAL is fsynced). Only then does it return. The
one-vote rule is held twice: by the check here, and by `UNIQUE(battle_id)` in the schema, so two
votes sent at once from two threads or two processes keep exactly one; the loser is refused as
"already voted". All lookups are primary-key or unique-index probes, so the cost does not grow
with the number of votes stored.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from desktop.core.contenders.choices import CHOICE_WORDS, CHOICES
from desktop.core.contenders.disclosure import names_shown, neutral_reason
from desktop.core.base.errors import CANCELLED
from desktop.core.store.battles import BattleRecord, Vote, _load, answer_finished
from desktop.core.store.db import Store, parse_utc, utc_now
from desktop.core.store.outbox import queue_for_team


# VoteRefused reasons
NOT_FOUND = "not_found"
ALREADY_VOTED = "already_voted"
SIDE_FAILED = "side_failed"
SIDE_CANCELLED = "side_cancelled"
BAD_CHOICE = "bad_choice"


class VoteRefused(Exception):
    """A vote that was not recorded, with a reason kind and a message that says why."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass
class VoteReceipt:
    """What the voter is shown afterwards: the vote, and the battle (for the reveal)."""

    vote: Vote
    battle: BattleRecord


def vote_blocker(battle: BattleRecord) -> VoteRefused | None:
    """Why this battle cannot take a vote, or None if it can (the window greys its buttons)."""
    if battle.vote is not None:
        when = battle.vote.voted_at.replace("T", " ")[:16]
        return VoteRefused(
            ALREADY_VOTED,
            f"Battle {battle.short_id} already has a vote ({CHOICE_WORDS[battle.vote.choice]}, "
            f"cast {when} UTC). Each battle takes one vote; ask again for a new battle.",
        )
    if battle.turns and any(turn.finished for turn in battle.turns):
        return None  # a failed last turn is left out; the finished turns can be judged
    last = battle.turns[-1].answers if battle.turns else {"a": battle.a, "b": battle.b}
    for seat in sorted(last):
        answer = last[seat]
        if answer_finished(answer):
            continue
        label = seat.upper()
        if answer.finish_reason == "cancelled" or (answer.error and answer.error.kind == CANCELLED):
            return VoteRefused(
                SIDE_CANCELLED,
                f"Battle {battle.short_id} cannot be voted on: answer {label} was stopped before "
                "it finished, so the two answers cannot be compared fairly. Ask again for a new "
                "battle.",
            )
        detail = ""
        if answer.error and answer.error.message:  # blind before the vote: the kind, no name
            words = answer.error.message if names_shown(battle) else \
                neutral_reason(answer.error)
            detail = ": " + words.rstrip().rstrip(".")
        return VoteRefused(
            SIDE_FAILED,
            f"Battle {battle.short_id} cannot be voted on: answer {label} failed{detail}. A vote "
            "needs two finished answers; fix the problem and ask again.",
        )
    return None


def cast_vote(
    store: Store,
    battle_id: str,
    choice: str,
    *,
    decide_s: float | None = None,
    voted_at: str | None = None,
) -> VoteReceipt:
    """Record a vote durably, or raise VoteRefused. One transaction.

    `decide_s` is the time the voter took, measured by the caller from the moment both answers
    were shown; when not given it is the time since the battle was saved."""
    if choice not in CHOICES:
        raise VoteRefused(BAD_CHOICE, f"A vote is one of {', '.join(CHOICES)}, not '{choice}'.")
    voted_at = voted_at or utc_now()
    with store.transaction("save the vote") as db:
        battle = _load(db, battle_id)
        if battle is None:
            raise VoteRefused(
                NOT_FOUND,
                f"No battle has the id '{battle_id}'. `sidebyside ask` prints the id of each "
                "battle it saves.",
            )
        refused = vote_blocker(battle)
        if refused is not None:
            raise refused
        if decide_s is None:
            decide_s = max(0.0, (parse_utc(voted_at) - parse_utc(battle.created_at)).total_seconds())
        try:
            insert_vote(db, battle, choice, voted_at, decide_s)
        except sqlite3.IntegrityError as exc:  # the schema's UNIQUE(battle_id), should the check miss
            raise VoteRefused(
                ALREADY_VOTED,
                f"Battle {battle.short_id} already has a vote. Each battle takes one vote.",
            ) from exc
    vote = Vote(battle_id, choice, voted_at, decide_s)
    battle.vote = vote
    return VoteReceipt(vote=vote, battle=battle)


def insert_vote(db, battle: BattleRecord, choice: str, voted_at: str, decide_s: float | None) -> None:
    """The INSERT itself, with the battle facts the ratings read from the votes table."""
    db.execute(
        "INSERT INTO votes (battle_id, choice, voted_at, decide_s, contender_a, contender_b, "
        "category, identity_leak, turns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (battle.id, choice, voted_at, decide_s, battle.a.contender, battle.b.contender,
         battle.category, int(battle.identity_leak), battle.judged_turns),
    )
    queue_for_team(db, battle.id)


def get_vote(store: Store, battle_id: str) -> Vote | None:
    with store.read() as db:
        row = db.execute(
            "SELECT choice, voted_at, decide_s FROM votes WHERE battle_id = ?", (battle_id,)
        ).fetchone()
    return Vote(battle_id, *row) if row else None


def winner_of(battle: BattleRecord, choice: str) -> str:
    """The winning contender's spec, or 'tie' / 'both_bad'."""
    if choice == "a":
        return battle.a.contender
    if choice == "b":
        return battle.b.contender
    return choice
