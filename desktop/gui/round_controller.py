"""One round of the comparison view, without widgets: send, stream, save, vote, reveal.

The controller builds the two contenders from their specs, tosses the fair coin for blind mode
(`battle_record.assign_sides`: which slot is shown as A), runs the engine's `Battle` through a
`BattleRunner`, saves the finished battle on the database thread and casts the vote there. The
view only renders what it is told, by position ("a"/"b"), and never learns which contender is
behind a position until `revealed` fires.
"""

from __future__ import annotations

import time
from functools import partial

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from desktop.core.errors import ContenderError
from desktop.core.params import GenerationParams, Request
from desktop.gui.settings_store import ContenderChoice

if TYPE_CHECKING:
    from desktop.gui.battle_runner import BattleRunner

IDLE, RUNNING, FINISHED, VOTED = "idle", "running", "finished", "voted"


class RoundController(QObject):
    started = Signal()
    text = Signal(str, str)  # position, text
    status = Signal(str, object)  # position, Status
    side_started = Signal(str)  # position
    side_done = Signal(str, object)  # position, Answer
    finished = Signal(object, object)  # BattleRecord or None, blocker message or None
    revealed = Signal(object)  # BattleRecord with its vote
    problem = Signal(str)  # something to tell the user that belongs to no pane
    state_changed = Signal(str)

    def __init__(self, db, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._db = db  # TaskRunner wrapping `services.Services` calls
        self.services = None  # set by the window
        self.state = IDLE
        self.runner: BattleRunner | None = None
        self.record = None
        self.a_slot = "left"
        self.blind = True
        self.category = ""
        self._retired: list[BattleRunner] = []
        self._ready_at: float | None = None
        self._under_way: set[str] = set()

    # -- sending -------------------------------------------------------------------------
    def send(self, prompt: str, params: GenerationParams, contenders: list[ContenderChoice],
             *, blind: bool, category: str) -> bool:
        if self.state == RUNNING:
            return False
        # Imported on first use (warm_up loads them after the first paint): the engine's data
        # classes are not needed to show the window.
        from desktop.core.battle_record import assign_sides
        from desktop.core.engine import Battle
        from desktop.core.specs import make_contender
        from desktop.gui.battle_runner import BattleRunner

        try:
            left = make_contender(contenders[0].spec, contenders[0].kind)
            right = make_contender(contenders[1].spec, contenders[1].kind)
        except ContenderError as exc:
            self.problem.emit(exc.message)
            return False
        self._retire()
        self.blind = blind
        self.category = category
        self.a_slot = assign_sides() if blind else "left"
        self.record = None
        self._ready_at = None
        self._under_way: set[str] = set()  # positions that have text or are done
        battle = Battle(left, right, Request(prompt=prompt, params=params)).start()
        self.runner = BattleRunner(battle, self)
        self.runner.text.connect(self._on_text)
        self.runner.event.connect(self._on_event)
        self.runner.finished.connect(self._on_finished)
        self._set_state(RUNNING)
        self.started.emit()
        self.runner.start()
        return True

    def position(self, slot: str) -> str:
        return "a" if slot == self.a_slot else "b"

    def _on_text(self, slot: str, text: str) -> None:
        self._under_way.add(self.position(slot))
        self.text.emit(self.position(slot), text)

    def _on_event(self, event) -> None:
        from desktop.core.answer import EV_DONE, EV_START, EV_STATUS, Status

        position = self.position(event.side)
        if event.type == EV_START:
            self.side_started.emit(position)
        elif event.type == EV_STATUS and event.status is not None:
            if event.status.state == "notice":  # said once, in the status bar, naming no pane
                self.problem.emit(event.status.message)
            elif not self.blind:
                self.status.emit(position, event.status)
            elif event.status.state == "loading":
                # Only a local model loads, so one pane loading would name it: in blind mode
                # both panes show the same progress (neither streams until both are ready).
                for each in ("a", "b"):
                    if each not in self._under_way:
                        self.status.emit(each, event.status)
            else:  # retrying: only a remote provider retries; say nothing that tells
                self.status.emit(position, Status("waiting"))
        elif event.type == EV_DONE:
            self._under_way.add(position)
            self.side_done.emit(position, event.answer)

    def _on_finished(self) -> None:
        runner = self.runner
        if runner is None:
            return
        battle = runner.battle
        self._db.submit(
            partial(self.services.save_battle, battle, blind=self.blind, a_slot=self.a_slot,
                    category=self.category),
            on_done=lambda saved, r=runner: self._on_saved(r, saved),
            on_error=lambda exc, r=runner: self._on_save_failed(r, exc),
        )

    def _on_saved(self, runner: BattleRunner, saved) -> None:
        if runner is not self.runner:
            return  # a new round began meanwhile
        self.record = saved.record
        self._ready_at = time.monotonic()
        self._set_state(FINISHED)
        self.finished.emit(saved.record, saved.blocker)

    def _on_save_failed(self, runner: BattleRunner, exc: BaseException) -> None:
        if runner is not self.runner:
            return
        self._set_state(FINISHED)
        self.finished.emit(None, _message(exc, "The battle could not be saved"))

    # -- voting --------------------------------------------------------------------------
    def vote(self, choice: str) -> bool:
        if self.state != FINISHED or self.record is None:
            return False
        record = self.record
        decide_s = None if self._ready_at is None else time.monotonic() - self._ready_at
        self._set_state(VOTED)
        self._db.submit(
            self.services.vote, record.id, choice, decide_s,
            on_done=lambda receipt: self._on_voted(record, receipt),
            on_error=lambda exc: self._on_vote_failed(record, exc),
        )
        return True

    def _on_voted(self, record, receipt) -> None:
        if record is self.record:
            self.record = receipt.battle
            self.revealed.emit(receipt.battle)

    def _on_vote_failed(self, record, exc: BaseException) -> None:
        if record is self.record:
            self._set_state(FINISHED)
            self.problem.emit(_message(exc, "The vote could not be saved"))

    # -- stopping ------------------------------------------------------------------------
    def stop(self) -> None:
        if self.runner is not None and self.state == RUNNING:
            self.runner.stop()

    def new_round(self) -> None:
        self._retire()
        self.record = None
        self._set_state(IDLE)

    def _retire(self) -> None:
        """Detach the current runner (a late piece must not paint the next round)."""
        if self.runner is not None:
            self.runner.detach()
            self._retired.append(self.runner)
            self.runner = None
        still_running = []
        for runner in self._retired:
            if runner.is_idle():  # its thread has ended: safe to let it go
                runner.deleteLater()
            else:
                still_running.append(runner)
        self._retired = still_running

    def shutdown(self, timeout_ms: int = 3000) -> None:
        runners = self._retired + ([self.runner] if self.runner else [])
        for runner in runners:
            runner.detach()
        for runner in runners:
            runner.shutdown(timeout_ms)
        self._retired = []
        self.runner = None

    def _set_state(self, state: str) -> None:
        self.state = state
        self.state_changed.emit(state)


def _message(exc: BaseException, doing: str) -> str:
    message = getattr(exc, "message", None)
    if message:
        return message
    return f"{doing} ({type(exc).__name__}). Try again."
