"""Review operations: vote on a battle of a `ReviewSession`'s queue, or take that vote back
(desktop/core/battle/review.py keeps the queue and its rules)."""

from __future__ import annotations

from desktop.core.battle.review import ReviewSession, ReviewVote
from desktop.core.operations.battles import VOTED
from desktop.core.operations.changes import NOTHING, Done
from desktop.core.store.battles import BattleRecord
from desktop.core.store.db import Store


def review_vote(store: Store, session: ReviewSession, battle_id: str, choice: str,
                decide_s: float | None = None) -> Done[ReviewVote]:
    """Vote on the battle on screen and move on (as Compare votes). Raises VoteRefused."""
    session.store = store
    return Done(session.vote(battle_id, choice, decide_s), VOTED)


def review_undo(store: Store, session: ReviewSession) -> Done[BattleRecord | None]:
    """Take back this review's last vote; the value is that battle again (None: nothing to
    take back, and nothing changed)."""
    session.store = store
    record = session.undo()
    return Done(record, VOTED if record is not None else NOTHING)
