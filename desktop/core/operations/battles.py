"""Operations on battles and own votes: save a round's turn, vote, delete."""

from __future__ import annotations

from typing import NamedTuple

from desktop.core.battle.categories import all_categories, category_for
from desktop.core.battle.round_session import RoundSession
from desktop.core.store.battles import BattleRecord, get_battle
from desktop.core.store.db import Store
from desktop.core.store.history import delete_battle as delete_stored_battle
from desktop.core.store.history import resolve_battle_id
from desktop.core.store.votes import VoteReceipt, cast_vote
from desktop.core.operations.changes import Changes, Done

VOTED = Changes(battles=True, votes=True)  # a vote ends the battle's conversation, too


class SavedRound(NamedTuple):
    record: BattleRecord | None
    blocker: str | None  # why it cannot be voted on, or None


def save_turn(store: Store, session: RoundSession, battle) -> Done[SavedRound]:
    """Save a finished turn of `session` (its first turn files the battle under the category's
    canonical name, adding a new one). Raises CategoryError or StoreError."""
    session.store = store
    new_category = False
    if session.record is None:
        known = {name.lower() for name in all_categories(store)}
        session.category = category_for(store, session.category)
        new_category = session.category.lower() not in known
    record = session.finish_turn(battle)
    blocker = session.vote_blocker()
    return Done(SavedRound(record, blocker.message if blocker else None),
                Changes(battles=record is not None, categories=new_category))


def vote_round(store: Store, session: RoundSession, choice: str,
               decide_s: float | None = None) -> Done[VoteReceipt]:
    """Vote on the round's conversation (the session notes the judge's line). Raises VoteRefused."""
    session.store = store
    return Done(session.vote(choice, decide_s), VOTED)


def vote(store: Store, battle_id: str, choice: str,
         decide_s: float | None = None) -> Done[VoteReceipt]:
    """Vote on a saved battle, named by its id or a unique prefix of it. Raises
    BattleNotFound or VoteRefused."""
    full_id = resolve_battle_id(store, battle_id)
    return Done(cast_vote(store, full_id, choice, decide_s=decide_s), VOTED)


def delete_battle(store: Store, battle_id: str) -> Done[bool]:
    """Delete a battle with its answers and vote; the value says whether there was one."""
    record = get_battle(store, battle_id)
    deleted = delete_stored_battle(store, battle_id)
    return Done(deleted, Changes(battles=deleted,
                                 votes=deleted and record is not None and record.vote is not None))
