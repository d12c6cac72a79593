"""Which views show what: the one place that turns an operation's `Changes` into the views that
must load again (as Anki's `on_operation_did_execute`). No window method lists the views to
refresh after an action; it hands the `Changes` here."""

from __future__ import annotations

from desktop.core.operations.changes import Changes

# The tab views and the kinds of things each shows (desktop/core/operations/changes.py).
SHOWS: dict[str, frozenset[str]] = {
    "verdict": frozenset({"votes", "sources", "judge", "team"}),
    "leaderboard": frozenset({"votes", "sources", "team"}),
    "history": frozenset({"battles", "votes", "sources"}),
    "review": frozenset({"battles", "votes", "categories"}),
}

# A background batch saves battles through its own sessions, on its own thread: named here so
# the window maps its signal like any operation's Changes.
BATCH_SAVED = Changes(battles=True)


def stale_views(changes: Changes, besides: str | None = None) -> list[str]:
    """The views that show something `changes` names (not `besides`, the view that made them
    and has already shown them)."""
    names = changes.names()
    return [view for view, shows in SHOWS.items() if view != besides and names & shows]


def apply(window, changes: Changes, besides: str | None = None) -> None:
    """On the UI thread: mark the window's views that show what changed stale (a shown one
    reloads now, a hidden one when next shown), give the category box a new name, and take a
    new vote to the team store."""
    for name in stale_views(changes, besides):
        view = window.views.get(name)
        if view is not None and hasattr(view, "mark_stale"):
            view.mark_stale()
    if changes.categories:
        window.db.submit(window.services.categories, on_done=window._set_categories,
                         on_error=lambda e: None)
    if changes.votes:
        window.team_sync.kick()  # the vote is saved and queued; take it to the team store
