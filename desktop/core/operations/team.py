"""Operations on the team: join, leave, push what is queued."""

from __future__ import annotations

from desktop.core.operations.changes import Changes, Done
from desktop.core.store.db import Store
from desktop.core.team.push import PushResult, push_outbox
from desktop.core.team.settings import TeamSettings, join, leave

MEMBERSHIP = Changes(team=True, sources=True)  # the `team` source comes or goes with it


def team_join(store: Store, address: str, password: str | None, voter: str | None = None,
              push_texts: bool = True, remember: bool = True) -> Done[TeamSettings]:
    """Join (or rejoin) a team store; `remember` keeps the password in the keyring. Raises
    TeamError."""
    return Done(join(store, address, password, voter=voter or None, push_texts=push_texts,
                     remember=remember), MEMBERSHIP)


def team_leave(store: Store) -> Done[TeamSettings]:
    """Forget the team (what was pushed stays there). Raises TeamError."""
    return Done(leave(store), MEMBERSHIP)


def push_team(store: Store) -> Done[PushResult]:
    """Push what is queued for the team store (a no-op outside a team); never raises for a
    server that is down: the PushResult says so and the queue waits."""
    result = push_outbox(store)
    return Done(result, Changes(team=result.battles > 0))
