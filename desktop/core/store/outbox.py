"""The team outbox: battles waiting to be pushed to the team's shared store (desktop/core/team).

`queue_for_team(db, battle_id)` runs inside the transaction that saves a battle, a turn or a vote,
so the queue can never miss what was saved, nor hold what was rolled back. It queues only while
this data folder has joined a team (a row in `team_settings`): the check is part of the same
INSERT, so no setting is read outside the transaction. Queuing a battle already queued refreshes
its `queued_at`, which tells a push in flight that the battle changed under it.
"""

from __future__ import annotations

import sqlite3

from desktop.core.store.base import utc_now


def queue_for_team(db: sqlite3.Connection, battle_id: str) -> None:
    db.execute(
        "INSERT INTO team_outbox (battle_id, queued_at) SELECT ?, ? "
        "WHERE EXISTS (SELECT 1 FROM team_settings) "
        "ON CONFLICT (battle_id) DO UPDATE SET queued_at = excluded.queued_at",
        (battle_id, utc_now()),
    )

