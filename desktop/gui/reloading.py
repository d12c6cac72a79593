"""Views that load in the background: reload when shown after a change, keep only the newest.

A view marked stale reloads at once if visible, else the next time it is shown (`refresh`).
Each load takes a ticket; a result whose ticket is not the newest is dropped, so a slow
answer to an old search never replaces a newer one.
"""

from __future__ import annotations


class ReloadOnShow:
    """Mixin for a QWidget with a `reload()` method."""

    _stale = True
    _ticket = 0

    def mark_stale(self) -> None:
        self._stale = True
        if self.isVisible():
            self.reload()

    def refresh(self) -> None:
        if self._stale:
            self.reload()

    def next_ticket(self) -> int:
        self._stale = False
        self._ticket += 1
        return self._ticket

    def is_newest(self, ticket: int) -> bool:
        return ticket == self._ticket
