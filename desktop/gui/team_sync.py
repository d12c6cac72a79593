"""Pushes the team outbox in the background while the window is open.

A push runs on the slow-work runner (it may wait seconds for a server that is down, so never on
the UI thread nor on the database writer, which votes must not queue behind), at most one at a
time: after each vote, and every PUSH_EVERY_MS in case an earlier one found the server down.
Outside a team a push is one local query and no connection.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

PUSH_EVERY_MS = 60_000


class TeamSync(QObject):
    pushed = Signal(object)  # the PushResult, on the UI thread

    def __init__(self, workspace, runner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._workspace, self._runner = workspace, runner  # () -> the window's Workspace
        self._busy = self._again = False
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.kick)

    def start(self) -> None:
        self._timer.start(PUSH_EVERY_MS)
        self.kick()

    def kick(self) -> None:
        """Push now, or right after the push in flight (which may have missed the newest vote)."""
        if self._busy:
            self._again = True
            return
        self._busy = True
        self._runner.submit(self._workspace().push_team, on_done=self._done, on_error=self._done)

    def _done(self, result) -> None:
        self._busy = False
        if not isinstance(result, BaseException):
            self.pushed.emit(result)
        if self._again:
            self._again = False
            self.kick()
