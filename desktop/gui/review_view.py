"""The Review tab: the battles waiting for a vote, one at a time, at reading speed.

Each battle shows whole (both answers complete, at once); Ctrl+1 … Ctrl+4 vote as in Compare
and the next battle is on screen at once: it was loaded while the user read this one
(`_next`), so a vote costs one paint, not a query. After each vote one line says which seat was
which, and the count ("12 of 140 reviewed"); Ctrl+Z takes back the last vote of this review.
Filters: the batch (its set's name), the category, the pair.

Blind rules as in Compare: before its vote a battle shows seats A and B only; no name, count or
time (the thinking header says "Thinking…"). The rules and the queue are the core's
`ReviewSession` (desktop/core/battle/review.py), called on the database thread only.

**After the vote, a line of your own.** `voted` fires with the revealed `BattleRecord` once a
vote is stored, and `after_vote_box` (a small, empty row under the reveal line, cleared for each
battle) is where another feature adds its post-vote line, e.g. a judge's verdict, which must
never show before the vote.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox, QFrame, QHBoxLayout, QLabel, QSplitter, QTextBrowser, QVBoxLayout, QWidget,
)

from desktop.core.battle.review import (
    ReviewFilter, ReviewSession, pairs_waiting, reveal_line,
)
from desktop.core.battle.batch import batch_names
from desktop.core.operations import reviewing
from desktop.gui import theme
from desktop.gui.history_view import conversation_markdown
from desktop.gui.markdown_doc import IncrementalMarkdown
from desktop.gui.thinking_block import ThinkingBlock
from desktop.gui.vote_bar import VoteBar

ALL = "All"
LAST_VOTE = "Last vote: "
END = object()  # `_next` once the queue has nothing after the battle on screen
EMPTY = "No battles are waiting for a vote. Run a prompt set in the background (Round menu) " \
    "or `sidebyside batch`, then review it here."


class ReviewView(QWidget):
    voted = Signal(object)  # the BattleRecord with its vote, once stored (names may show)

    def __init__(self, services, db, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services, self.db = services, db
        self.session: ReviewSession | None = None
        self.record = None  # the battle on screen
        self._next = None  # the battle after it, prepared while reading (END: none)
        self._reviewed = 0
        self._shown_at = 0.0
        self._stale = True

        self.set_filter, self.category_filter, self.pair_filter = (QComboBox() for _ in range(3))
        filters = QHBoxLayout()
        for text, box in (("Set", self.set_filter), ("Category", self.category_filter),
                          ("Pair", self.pair_filter)):
            box.setAccessibleName(f"Review: {text.lower()}")
            box.addItem(ALL, None)
            box.setMinimumContentsLength(14)
            box.activated.connect(lambda _=0: self.restart())
            filters.addWidget(QLabel(text, objectName="muted"))
            filters.addWidget(box)
        # Which battle comes next: oldest first, or the undecided categories nearest a
        # decision first (docs/verdict.md, "What to vote next"); nothing in it names a side.
        self.order_filter = QComboBox()
        self.order_filter.setAccessibleName("Review: order")
        self.order_filter.addItem("Oldest first", "oldest")
        self.order_filter.addItem("Nearest decision first", "next")
        self.order_filter.activated.connect(lambda _=0: self.restart())
        filters.addWidget(QLabel("Order", objectName="muted"))
        filters.addWidget(self.order_filter)
        filters.addStretch(1)
        self.count = QLabel("", objectName="muted")
        self.count.setAccessibleName("Reviewed so far")
        filters.addWidget(self.count)

        self.prompt = QLabel(objectName="heading")
        self.prompt.setWordWrap(True)
        self.prompt.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.prompt.setAccessibleName("Prompt of the battle under review")
        self.views: dict[str, QTextBrowser] = {}
        self.thinking: dict[str, ThinkingBlock] = {}
        self._markdown: dict[str, IncrementalMarkdown] = {}
        split = QSplitter(Qt.Orientation.Horizontal)
        code = QColor(theme.colours().code)
        for seat in ("a", "b"):
            card = QFrame(objectName="card")
            box = QVBoxLayout(card)
            box.addWidget(QLabel(seat.upper(), objectName="paneTitle"))
            self.thinking[seat] = ThinkingBlock(seat.upper())
            box.addWidget(self.thinking[seat])
            view = QTextBrowser(objectName="answer")
            view.setOpenExternalLinks(True)
            view.setAccessibleName(f"Answer {seat.upper()} under review")
            box.addWidget(view, 1)
            self.views[seat] = view
            self._markdown[seat] = IncrementalMarkdown(view.document(), code)
            split.addWidget(card)

        self.reveal = QLabel("", objectName="reveal")
        self.reveal.setWordWrap(True)
        self.reveal.setAccessibleName("Which was which")
        self.after_vote_box = QWidget()  # see the module docstring
        self.after_vote = QVBoxLayout(self.after_vote_box)
        self.after_vote.setContentsMargins(0, 0, 0, 0)
        self.vote_bar = VoteBar()
        self.vote_bar.voted.connect(self.vote)
        # The window's, while this tab shows (a hidden tab's shortcuts do not fire).
        undo = QShortcut(QKeySequence("Ctrl+Z"), self)
        undo.activated.connect(self.undo)

        root = QVBoxLayout(self)
        root.setContentsMargins(16, 12, 16, 14)
        root.addLayout(filters)
        root.addWidget(self.prompt)
        root.addWidget(split, 1)
        root.addWidget(self.reveal)
        root.addWidget(self.after_vote_box)
        root.addWidget(self.vote_bar)

    # -- the queue ----------------------------------------------------------------------
    def mark_stale(self) -> None:
        self._stale = True

    def refresh(self) -> None:
        """The tab is shown: rebuild the queue if something changed elsewhere."""
        if self._stale:
            self._stale = False
            self.db.submit(self._choices, on_done=self._set_choices)
            self.restart()

    def _choices(self):
        store = self.services.store
        return batch_names(store), self.services.categories(), pairs_waiting(store)

    def _set_choices(self, found) -> None:
        names, categories, pairs = found
        for box, values in ((self.set_filter, [(n, n) for n in names]),
                            (self.category_filter, [(c, c) for c in categories]),
                            (self.pair_filter, [(f"{a} vs {b}", (a, b)) for a, b in pairs])):
            current = box.currentData()
            box.clear()
            box.addItem(ALL, None)
            for text, data in values:
                box.addItem(text, data)
            box.setCurrentIndex(max(0, box.findData(current)) if current else 0)

    def current_filter(self) -> ReviewFilter:
        return ReviewFilter(self.set_filter.currentData(), self.category_filter.currentData(),
                            self.pair_filter.currentData(), self.order_filter.currentData())

    def restart(self) -> None:
        flt = self.current_filter()

        def start():
            session = ReviewSession(self.services.store, flt)
            return session, session.current(), session.peek()

        self.db.submit(start, on_done=self._started)

    def _started(self, found) -> None:
        self.session, current, following = found
        self._reviewed = 0
        self.reveal.setText("")
        self._next = following if following is not None else END
        self._show(current)

    # -- showing ----------------------------------------------------------------------
    def _show(self, record) -> None:
        self.record = record  # the reveal line stays: it is about the battle voted on before
        self._clear_after_vote()
        if record is None:
            self.prompt.setText(EMPTY)
            for seat in ("a", "b"):
                self._markdown[seat].clear()
                self.thinking[seat].reset()
            self.vote_bar.set_waiting("")
            self._update_count()
            return
        self.prompt.setText(record.prompt.strip()[:600])
        for seat in ("a", "b"):
            self._markdown[seat].set_text(conversation_markdown(record, seat))
            self.views[seat].verticalScrollBar().setValue(0)
            block = self.thinking[seat]
            block.reset()
            block.set_blind(True)  # no vote yet: no count or time
            block.finish(record.answer(seat))
        self.vote_bar.set_ready()
        self.vote_bar.hint.setText("Which answer is better? Ctrl+1 … Ctrl+4; Ctrl+Z takes the "
                                   "last vote back.")
        self._update_count()
        self._shown_at = time.monotonic()

    def _update_count(self) -> None:
        total = self.session.total if self.session else 0
        self.count.setText(f"{self._reviewed} of {total} reviewed" if total else "")

    def _clear_after_vote(self) -> None:
        while self.after_vote.count():
            item = self.after_vote.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()

    # -- voting -------------------------------------------------------------------------
    def vote(self, choice: str) -> None:
        record, session = self.record, self.session
        if record is None or session is None:
            return
        decide_s = time.monotonic() - self._shown_at
        self._reviewed += 1
        following = self._next
        self._next = None
        # Of the battle just voted on, not the one now shown (its own coin toss).
        self.reveal.setText(LAST_VOTE + reveal_line(record, choice))
        if following is not None:  # prepared while reading: on screen at once
            self._show(None if following is END else following)

        services = self.services

        def cast():  # the other views hear of the vote from its Changes
            result = services.run(reviewing.review_vote, session, record.id, choice, decide_s,
                                  initiator="review")
            return result, session.current(), session.peek()

        self.db.submit(cast, on_done=lambda found: self._cast(record, following, found),
                       on_error=self._failed)

    def _cast(self, record, shown, found) -> None:
        result, current, following = found
        self._reviewed = len(self.session.voted)
        if shown is None:  # the next battle was not ready when the vote was cast
            self._show(current)
        self._next = following if following is not None else END
        self._update_count()
        self._clear_after_vote()
        if result.judge:  # the judge's word on the battle just voted on, never before
            judge = QLabel(result.judge)
            judge.setObjectName("judge_after_vote")
            self.after_vote.addWidget(judge)
        self.voted.emit(result.receipt.battle)

    def _failed(self, exc: BaseException) -> None:
        self.reveal.setText(getattr(exc, "message", None) or
                            f"The vote could not be saved ({type(exc).__name__}).")
        self.restart()

    def undo(self) -> None:
        session = self.session
        if session is None or not session.voted:
            return

        services = self.services

        def take_back():
            return services.run(reviewing.review_undo, session, initiator="review"), session.peek()

        self.db.submit(take_back, on_done=self._undone, on_error=self._failed)

    def _undone(self, found) -> None:
        record, following = found
        self._reviewed = len(self.session.voted)
        self._next = following if following is not None else END
        self.reveal.setText("Vote taken back.")
        self._show(record)
