"""The window's adapter on the core's `RoundSession`: it runs the session's turns through a
`BattleRunner` and forwards what the view may show.

The rules (coin toss, what blind hides, turns, saving, voting) are the session's; this module
only moves work to the right thread: engine events are drained on the UI thread, saving and
voting run on the database thread. The view renders by seat ("a"/"b") and never learns which
contender is behind a seat until `revealed` fires. A conversation goes on while the contenders
and mode stay the same: a send after a finished turn is a follow-up, a send after a failed turn
retries it; after the vote a send is refused until a new round (Ctrl+N).

Text reaches the view through the session's reveal pacer (desktop/core/battle/reveal.py): the runner's
pieces and ends go in, and after each frame's drain what the pacer allows comes out as `text`,
`thought` and `seat_done`, so a blind pane never streams faster than the other one. The runner's
frame is the pacer's clock while the sides answer; after both ended, the controller's own frame
timer keeps releasing while the pacer still holds text (a paced tail); the turn is saved, and
the vote offered, once everything has been shown. Stop shows it all.
"""

from __future__ import annotations

import time
from functools import partial

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from desktop.core.base.errors import ContenderError
from desktop.core.battle.specs import make_contender
from desktop.core.contenders.answer import EV_DONE, EV_START, EV_STATUS
from desktop.core.contenders.params import GenerationParams
from desktop.core.providers.clients import ClientPool
from desktop.gui.settings_store import ContenderChoice

if TYPE_CHECKING:
    from desktop.core.battle.round_session import RoundSession
    from desktop.gui.battle_runner import BattleRunner

IDLE, RUNNING, FINISHED, VOTED = "idle", "running", "finished", "voted"
ENDED_BY_VOTE = ("This conversation ended with your vote. Press Ctrl+N for a new round, then "
                 "send your prompt.")


class RoundController(QObject):
    started = Signal()
    turn_started = Signal(int, str)  # turn number, prompt
    text = Signal(str, str)  # seat, text
    thought = Signal(str, str, int)  # seat, thinking text, pieces it holds
    status = Signal(str, object)  # seat, Status
    seat_started = Signal(str)  # seat
    seat_done = Signal(str, object)  # seat, Answer
    finished = Signal(object, object)  # BattleRecord or None, blocker message or None
    revealed = Signal(object)  # BattleRecord with its vote
    problem = Signal(str)  # something to tell the user that belongs to no pane
    state_changed = Signal(str)
    pacing = Signal(str)  # the reveal mode of the turn that just started (paced/together/live)

    def __init__(self, db, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._db = db  # the database TaskRunner, which runs the Workspace's operations
        self.workspace = None  # () -> the window's Workspace (desktop/core/operations), set by it
        self.state = IDLE
        self.runner: BattleRunner | None = None
        self.session: RoundSession | None = None
        self.record = None
        self._retired: list[BattleRunner] = []
        self._ready_at: float | None = None
        self._under_way: set[str] = set()
        self._key: tuple | None = None  # the contenders and mode the conversation runs with
        self._pacer = None  # the running turn's RevealPacer
        self._thought_pieces: dict[str, int] = {}  # thinking pieces arrived, not yet shown
        self._ended = False  # both slots of the running turn are done (shown or not)
        self._frame = QTimer(self)
        self._frame.setInterval(33)  # the pacer's clock once the runner ended (frame_interval_ms)
        self._frame.timeout.connect(self._tick)
        self.local_pool = None  # the window's local model workers: made on first use, closed
        # by `shutdown` (the window's closeEvent)
        self.clients = ClientPool()  # the window's warm connections, closed by `shutdown` too

    @property
    def a_slot(self) -> str:
        return self.session.a_slot if self.session else "left"

    @property
    def blind(self) -> bool:
        return self.session.blind if self.session else True

    @property
    def names_shown(self) -> bool:
        """May the panes name their contenders now? The round session decides (named rounds
        from the start, blind ones after the vote)."""
        return self.session.revealed if self.session else False

    @property
    def turn(self) -> int:
        return self.session.turn if self.session else 0

    # -- sending -------------------------------------------------------------------------
    def send(self, prompt: str, params: GenerationParams, contenders: list[ContenderChoice],
             *, blind: bool, category: str, reveal: str | None = None) -> bool:
        """Start a conversation, or send its next turn when one is open with these contenders.
        `reveal` (None: the session's default for the mode) holds for every turn of it."""
        if self.state == RUNNING:
            return False
        key = (tuple((c.spec, c.kind) for c in contenders), blind)
        if self.state == VOTED and key == self._key:
            self.problem.emit(ENDED_BY_VOTE)
            return False
        if self.session is None or self.state in (IDLE, VOTED) or key != self._key:
            if not self._new_session(params, contenders, blind=blind, category=category,
                                     reveal=reveal):
                return False
            self._key = key
        else:
            self.session.params = params  # a follow-up uses the parameters now shown
        parts = _round_parts()
        self._frame.setInterval(parts.battle_runner.frame_interval_ms())
        try:
            battle = self.session.start_turn(prompt)
        # refused before anything was sent
        except (parts.store.ConversationEnded, parts.round_session.TurnRefused) as exc:
            self.problem.emit(exc.message)
            return False
        self._retire()
        self._ready_at = None
        self._under_way = set()  # seats that have text or are done
        self._pacer = self.session.pacer()
        self._thought_pieces = {}
        self._ended = False
        self.runner = parts.battle_runner.BattleRunner(battle, self)
        self.runner.text.connect(self._on_text)
        self.runner.thought.connect(self._on_thought)
        self.runner.event.connect(self._on_event)
        self.runner.drained.connect(self._release)
        self.runner.finished.connect(self._on_finished)
        self._set_state(RUNNING)
        self.turn_started.emit(self.session.turn, prompt)
        self.started.emit()
        self.pacing.emit(self._pacer.mode)
        self.runner.start()
        return True

    def _new_session(self, params: GenerationParams, contenders: list[ContenderChoice], *,
                     blind: bool, category: str, reveal: str | None = None) -> bool:
        parts = _round_parts()
        if self.local_pool is None and any(c.spec.startswith("local") for c in contenders):
            self.local_pool = parts.workers.WorkerPool()
        try:
            left = make_contender(contenders[0].spec, contenders[0].kind,
                                  local_pool=self.local_pool, clients=self.clients)
            right = make_contender(contenders[1].spec, contenders[1].kind,
                                   local_pool=self.local_pool, clients=self.clients)
        except ContenderError as exc:
            self.problem.emit(exc.message)
            return False
        self._retire()
        self.session = parts.round_session.RoundSession(
            {"left": left, "right": right}, params, blind=blind, category=category, reveal=reveal)
        self.record = None
        return True

    def seat_of(self, slot: str) -> str:
        """The seat ("a"/"b") where the contender in `slot` is shown."""
        return self.session.seat_of(slot) if self.session else "a"

    def _on_text(self, slot: str, text: str) -> None:
        self._under_way.add(self.seat_of(slot))
        self._pacer.add(self.seat_of(slot), "text", text)

    def _on_thought(self, slot: str, text: str, pieces: int) -> None:
        self._under_way.add(self.seat_of(slot))
        self._pacer.add(self.seat_of(slot), "thought", text)
        seat = self.seat_of(slot)
        self._thought_pieces[seat] = self._thought_pieces.get(seat, 0) + pieces

    def _release(self) -> None:
        """Show what the pacer allows now (called after each frame's drain)."""
        if self._pacer is None:
            return
        for seat, release in self._pacer.release().items():
            for kind, text in release.pieces:
                if kind == "text":
                    self.text.emit(seat, text)
                else:  # the pieces counted so far go with it (live: exactly these)
                    self.thought.emit(seat, text, max(1, self._thought_pieces.pop(seat, 0)))
            if release.done:
                # Blind before the vote: its error names the seat, never the provider or host.
                self.seat_done.emit(seat, self.session.public_answer(release.answer, seat))

    def _on_event(self, event) -> None:
        seat = self.seat_of(event.slot)
        if event.type == EV_START:
            self.seat_started.emit(seat)
        elif event.type == EV_STATUS and event.status is not None:
            if event.status.state == "announce":  # said once, in the status bar, naming no pane
                self.problem.emit(event.status.message)
                return
            for each, status in self.session.visible_statuses(event.slot, event.status,
                                                              self._under_way):
                self.status.emit(each, status)
        elif event.type == EV_DONE:
            self._under_way.add(seat)
            self._pacer.done(seat, event.answer)  # shown once its text has been

    def _tick(self) -> None:
        self._release()
        if self._ended and (self._pacer is None or self._pacer.complete):
            self._frame.stop()
            self._save()

    def _on_finished(self) -> None:
        if self.runner is None:
            return
        self._ended = True  # saved once everything is shown, so the vote comes after it
        self._tick()
        if self._pacer is not None and not self._pacer.complete:
            self._frame.start()  # the runner's frame has stopped: release the paced tail

    def _save(self) -> None:
        runner = self.runner
        if runner is None:
            return
        self._db.submit(
            partial(self.workspace().save_turn, self.session, runner.battle),
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
            self.workspace().vote_round, self.session, choice, decide_s,
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
            if self._pacer is not None:
                self._pacer.flush()  # what arrived shows at once, in both panes

    def new_round(self) -> None:
        self._retire()
        self.record = None
        self.session = None  # the next send starts a new conversation (and tosses the coin)
        self._key = None
        self._set_state(IDLE)

    def _retire(self) -> None:
        """Detach the current runner (a late piece must not paint the next round)."""
        self._frame.stop()
        self._ended = False
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
        if self.local_pool is not None:
            self.local_pool.close()
            self.local_pool = None
        self.clients.close_all()  # the warm connections end with the window

    def _set_state(self, state: str) -> None:
        self.state = state
        self.state_changed.emit(state)


def _message(exc: BaseException, doing: str) -> str:
    message = getattr(exc, "message", None)
    if message:
        return message
    return f"{doing} ({type(exc).__name__}). Try again."


def _round_parts():
    """The round's engine (desktop/gui/round_parts.py), imported when the first round starts."""
    # deferred: the store, the round session and llama.cpp's worker pool are not needed to paint
    from desktop.gui import round_parts  # noqa: PLC0415

    return round_parts
