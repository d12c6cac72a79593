"""The store: one SQLite file holding battles, answers, votes and the user's categories.

    from desktop.core.store import open_store
    store = open_store()                      # migrates; store.notice may need showing
    save_battle(store, record)                # one transaction
    cast_vote(store, battle_id, "a")          # durable before it returns; VoteRefused says why not

See docs/schema.md for the tables.
"""

from desktop.core.store.battles import (
    SEATS, BattleRecord, ConversationEnded, Turn, Vote, append_turn, get_battle, make_record,
    new_battle_id, save_battle,
)
from desktop.core.store.db import Store, StoreError, open_store, utc_now
from desktop.core.store.history import (
    BattleNotFound, BattleSummary, count_battles, delete_battle, list_battles, resolve_battle_id,
)
from desktop.core.store.votes import (
    CHOICES, VoteReceipt, VoteRefused, cast_vote, get_vote, vote_blocker, winner_of,
)

__all__ = [
    "SEATS", "BattleNotFound", "BattleRecord", "BattleSummary", "CHOICES", "ConversationEnded",
    "Turn", "append_turn", "Store", "StoreError", "Vote",
    "VoteReceipt", "VoteRefused", "cast_vote", "count_battles", "delete_battle", "get_battle",
    "get_vote", "list_battles", "make_record", "new_battle_id", "open_store", "resolve_battle_id",
    "save_battle", "utc_now", "vote_blocker", "winner_of",
]
