"""The comparison view: two contenders, one prompt, two answers side by side, one vote.

Layout, top to bottom: the contenders (with Blind and, beside it, Reveal: how fast a blind
battle's text may show, see desktop/core/battle/reveal.py); the prompt with Send / Stop / New round; the options
(system prompt, category, parameters); the two answer panes (or, when a contender cannot run
yet, a card saying why, where the answers would be); the vote bar. The view holds no logic of
its own: it forwards intents to `RoundController` and renders what the controller reports.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QFrame, QHBoxLayout, QLabel, QPlainTextEdit, QProgressBar, QPushButton,
    QSplitter, QStackedWidget, QToolButton, QVBoxLayout, QWidget,
)

from desktop.gui.qt_namespace import qt
from desktop.gui import round_controller as rc
from desktop.gui import theme, wording
from desktop.gui.answer_pane import AnswerPane
from desktop.gui.contender_picker import ContenderPicker
from desktop.gui.params_panel import ParamsPanel
from desktop.gui.promptset_panel import PromptSetPanel
from desktop.gui.vote_bar import VoteBar


# The disclosure arrow is part of the text: Qt's arrow types live in the `Qt` namespace, which
# costs ~15 ms to load and is otherwise not needed before the first paint.
SYSTEM_CLOSED = "▸  S&ystem prompt"
SYSTEM_OPEN = "▾  S&ystem prompt"
# Reveal modes as the control names them (the core's words: desktop/core/battle/reveal.py).
REVEAL_CHOICES = (("Paced", "paced"), ("Together", "together"), ("Live", "live"))
TOGETHER_WAIT = "Both answers will show together, once both are complete…"


class CompareView(QWidget):
    open_settings = Signal(str)  # provider whose key is missing
    choices_changed = Signal()

    def __init__(self, controller: rc.RoundController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self._setup_problem: tuple[int, str, str] | None = None  # picker number, text, provider

        self.pickers = [ContenderPicker(1), ContenderPicker(2)]
        self.blind = QCheckBox("&Blind")
        self.blind.setChecked(True)
        self.blind.setAccessibleName("Blind mode")
        self.blind.setToolTip("Blind: the two contenders are shuffled into A and B for every round, "
                              "and named only after your vote.")
        vs = QLabel("vs", objectName="muted")
        top = QHBoxLayout()
        top.setSpacing(12)
        # "vs" and Blind sit on the pickers' first row of fields, whatever fields they show
        caption_height = self.pickers[0].caption.sizeHint().height() + 4
        blind_box = QWidget()
        blind_layout = QVBoxLayout(blind_box)
        blind_layout.setContentsMargins(0, caption_height + 3, 0, 0)
        blind_layout.addWidget(self.blind)
        self.reveal = QComboBox()
        for text, mode in REVEAL_CHOICES:
            self.reveal.addItem(text, mode)
        self.reveal.setAccessibleName("Reveal")
        self.reveal.setToolTip(
            "How a blind battle's answers appear. Paced: both at the slower side's pace, so speed "
            "does not tell them apart. Together: both at once when both are complete. Live: each "
            "as it arrives. Named battles are always live.")
        blind_layout.addWidget(self.reveal)
        vs.setContentsMargins(0, caption_height + 3, 0, 0)
        for widget, stretch in ((self.pickers[0], 1), (vs, 0), (self.pickers[1], 1), (blind_box, 0)):
            column = QVBoxLayout()  # a stretch below keeps each at the top of the row
            column.addWidget(widget)
            column.addStretch(1)
            top.addLayout(column, stretch)

        self.promptset = PromptSetPanel()
        self.prompt = QPlainTextEdit()
        self.prompt.setPlaceholderText("Ask both models the same thing…   Ctrl+Enter sends")
        self.prompt.setAccessibleName("Prompt")
        self.prompt.setTabChangesFocus(True)
        self.prompt.setFixedHeight(84)
        self.send_button = QPushButton("Send", objectName="primary")
        self.send_button.setAccessibleName("Send the prompt to both")
        self.send_button.setToolTip("Send to both (Ctrl+Enter)")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setAccessibleName("Stop both answers")
        self.stop_button.setToolTip("Stop both (Esc)")
        self.new_button = QPushButton("New round")
        self.new_button.setAccessibleName("New round")
        self.new_button.setToolTip("Clear the answers and keep the contenders (Ctrl+N)")
        buttons = QVBoxLayout()
        buttons.setSpacing(6)
        for button in (self.send_button, self.stop_button, self.new_button):
            button.setMinimumWidth(104)
            buttons.addWidget(button)
        buttons.addStretch(1)
        prompt_row = QHBoxLayout()
        prompt_row.setSpacing(10)
        prompt_row.addWidget(self.prompt, 1)
        prompt_row.addLayout(buttons)

        self.system_toggle = QToolButton()
        self.system_toggle.setText(SYSTEM_CLOSED)
        self.system_toggle.setCheckable(True)
        self.system_toggle.setAutoRaise(True)
        self.system_toggle.setAccessibleName("Show the system prompt")
        self.system = QPlainTextEdit()
        self.system.setPlaceholderText("Optional instructions both models get before the prompt")
        self.system.setAccessibleName("System prompt")
        self.system.setTabChangesFocus(True)
        self.system.setFixedHeight(60)
        self.system.hide()
        self.category = QComboBox()
        self.category.setEditable(True)
        self.category.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.category.setAccessibleName("Category")
        self.category.setMinimumContentsLength(14)
        category_label = QLabel("&Category", objectName="muted")
        category_label.setBuddy(self.category)
        self.params = ParamsPanel()
        options = QHBoxLayout()
        options.setSpacing(8)
        options.addWidget(self.system_toggle)
        options.addSpacing(12)
        options.addWidget(category_label)
        options.addWidget(self.category)
        options.addSpacing(12)
        options.addWidget(self.params)
        options.addStretch(1)

        self.panes = {"a": AnswerPane("a"), "b": AnswerPane("b")}
        self.splitter = QSplitter()  # horizontal
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setHandleWidth(12)
        self.splitter.addWidget(self.panes["a"])
        self.splitter.addWidget(self.panes["b"])
        self.setup_card: QWidget | None = None  # built the first time a setup problem is shown
        self.answers = QStackedWidget()
        self.answers.addWidget(self.splitter)
        # One neutral progress for both panes while `together` holds both answers back.
        self.together_bar = QProgressBar()
        self.together_bar.setRange(0, 0)
        self.together_bar.setTextVisible(False)
        self.together_bar.setMaximumHeight(6)
        self.together_bar.setAccessibleName("Both answers are being written")
        self.together_bar.hide()

        self.vote_bar = VoteBar()

        root = QVBoxLayout(self)
        root.setContentsMargins(16, 12, 16, 14)
        root.setSpacing(10)
        root.addLayout(top)
        root.addWidget(self.promptset)
        root.addLayout(prompt_row)
        root.addLayout(options)
        root.addWidget(self.system)
        root.addWidget(self.together_bar)
        root.addWidget(self.answers, 1)
        root.addWidget(self.vote_bar)

        self.send_button.clicked.connect(self.send)
        self.stop_button.clicked.connect(self.controller.stop)
        self.new_button.clicked.connect(self.new_round)
        self.system_toggle.toggled.connect(self._toggle_system)
        self.vote_bar.voted.connect(self.controller.vote)
        for picker in self.pickers:
            picker.changed.connect(self.choices_changed)
        self.blind.toggled.connect(self.choices_changed)
        self.blind.toggled.connect(self._on_blind_toggled)
        self._on_blind_toggled(self.blind.isChecked())
        self.sync_scroll = True
        self._syncing = False
        # Set when the prompt box holds a prompt set's next prompt: sending it after the vote
        # starts the next battle instead of being refused as a follow-up.
        self.prompt_opens_round = False

        c = self.controller
        c.turn_started.connect(self._on_turn_started)
        c.started.connect(self._on_started)
        c.seat_started.connect(lambda seat: self.panes[seat].begin())
        c.text.connect(lambda seat, text: self.panes[seat].append(text))
        c.thought.connect(lambda seat, text, pieces: self.panes[seat].append_thought(text, pieces))
        c.status.connect(lambda seat, status: self.panes[seat].set_status(status))
        c.seat_done.connect(lambda seat, answer: self.panes[seat].finish(answer))
        c.pacing.connect(self._on_pacing)
        c.finished.connect(self._on_finished)
        c.revealed.connect(self._on_revealed)
        c.state_changed.connect(self._update_buttons)
        self._update_buttons(c.state)

    def after_first_paint(self) -> None:
        """What the first frame does not need: scroll synchronisation (connecting to a scroll
        bar makes Python load its class, which start-up time notices)."""
        self.panes["a"].view.verticalScrollBar().valueChanged.connect(lambda v: self._sync("a", v))
        self.panes["b"].view.verticalScrollBar().valueChanged.connect(lambda v: self._sync("b", v))

    def _build_setup_card(self) -> QWidget:
        Qt = qt()  # the namespace is wrapped on first use (desktop/gui/qt_namespace.py)
        card = QFrame(objectName="card")
        self.setup_text = QLabel(objectName="heading")
        self.setup_text.setWordWrap(True)
        self.setup_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setup_detail = QLabel(objectName="muted")
        self.setup_detail.setWordWrap(True)
        self.setup_detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.add_key_button = QPushButton("Add a key…", objectName="primary")
        self.add_key_button.setAccessibleName("Add an API key")
        self.pick_other_button = QPushButton("Choose another contender")
        self.pick_other_button.setAccessibleName("Choose another contender")
        self.add_key_button.clicked.connect(self._add_key)
        self.pick_other_button.clicked.connect(self._pick_other)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.add_key_button)
        row.addWidget(self.pick_other_button)
        row.addStretch(1)
        layout = QVBoxLayout(card)
        layout.addStretch(1)
        layout.addWidget(self.setup_text)
        layout.addWidget(self.setup_detail)
        layout.addSpacing(8)
        layout.addLayout(row)
        layout.addStretch(2)
        return card

    # -- intents -------------------------------------------------------------------------
    def send(self) -> None:
        if self.controller.state == rc.RUNNING or not self.send_button.isEnabled():
            return
        prompt = self.prompt.toPlainText().strip()
        if not prompt:
            self.vote_bar.set_waiting("Type a prompt first.")
            self.prompt.setFocus()
            return
        problem = next((p.problem() for p in self.pickers if p.problem()), None)
        if problem:
            self.vote_bar.set_waiting(problem)
            return
        if self.prompt_opens_round and self.controller.state in (rc.FINISHED, rc.VOTED):
            self.new_round()
        self.prompt_opens_round = False
        params = self.params.params(self.system.toPlainText().strip())
        self.controller.send(
            prompt, params, [p.choice() for p in self.pickers], blind=self.blind.isChecked(),
            category=self.category.currentText().strip(), reveal=self.reveal_mode(),
        )

    def _on_blind_toggled(self, blind: bool) -> None:
        if self.controller.state == rc.IDLE:  # empty panes look as the next round will
            for pane in self.panes.values():
                pane.set_blind(blind)
        self._update_buttons(self.controller.state)

    def reveal_mode(self) -> str:
        """The chosen reveal for a blind battle; a named one is live (nothing to hide)."""
        return self.reveal.currentData() if self.blind.isChecked() else "live"

    def set_reveal_mode(self, mode: str) -> None:
        index = self.reveal.findData(mode)
        if index >= 0:
            self.reveal.setCurrentIndex(index)

    def new_round(self) -> None:
        self.together_bar.hide()
        self.controller.new_round()
        for pane in self.panes.values():
            pane.reset()
        self.vote_bar.set_waiting("Send a prompt to start a round.")
        self.prompt.setFocus()
        self.prompt.selectAll()

    def _toggle_system(self, shown: bool) -> None:
        self.system.setVisible(shown)
        self.system_toggle.setText(SYSTEM_OPEN if shown else SYSTEM_CLOSED)
        if shown:
            self.system.setFocus()

    def _sync(self, source: str, value: int) -> None:
        if not self.sync_scroll or self._syncing or self.controller.state == rc.RUNNING:
            return
        src = self.panes[source].view.verticalScrollBar()
        dst = self.panes["b" if source == "a" else "a"].view.verticalScrollBar()
        if src.maximum() > 0:
            self._syncing = True
            dst.setValue(round(value / src.maximum() * dst.maximum()))
            self._syncing = False

    # -- setup problems (a missing key) ----------------------------------------------------
    def set_setup_problem(self, number: int | None, text: str = "", detail: str = "",
                          provider: str = "") -> None:
        self._setup_problem = (number, text, provider) if number else None
        if number:
            if self.setup_card is None:
                self.setup_card = self._build_setup_card()
                self.answers.addWidget(self.setup_card)
            self.setup_text.setText(text)
            self.setup_detail.setText(detail)
            self.add_key_button.setVisible(bool(provider))
        self._update_buttons(self.controller.state)

    def _add_key(self) -> None:
        if self._setup_problem:
            self.open_settings.emit(self._setup_problem[2])

    def _pick_other(self) -> None:
        if self._setup_problem:
            picker = self.pickers[self._setup_problem[0] - 1]
            picker.source.setFocus()
            picker.source.showPopup()

    # -- what the controller reports -----------------------------------------------------
    def _on_turn_started(self, number: int, prompt: str) -> None:
        for pane in self.panes.values():
            pane.start_turn(number, prompt)

    def _on_pacing(self, mode: str) -> None:
        self.together_bar.setVisible(mode == "together")
        if mode == "together":
            self.vote_bar.set_waiting(TOGETHER_WAIT)

    def _on_started(self) -> None:
        for pane in self.panes.values():  # blind: no count or time until the vote
            pane.set_blind(self.controller.blind)
        if self.controller.names_shown:  # named mode: say who is who from the start
            for slot, picker in zip(("left", "right"), self.pickers):
                label = wording.spec_label(picker.choice().spec)
                self.panes[self.controller.seat_of(slot)].name.setText(label)
                self.panes[self.controller.seat_of(slot)].name.show()
        self.vote_bar.set_waiting("Both answers are on their way…")

    def _on_finished(self, record, blocker) -> None:
        self.together_bar.hide()
        # The box now takes the follow-up: typing replaces the prompt just sent (which the
        # panes show above the answers); Ctrl+Enter unchanged retries or repeats it.
        self.prompt.selectAll()
        if record is None or blocker:
            self.vote_bar.set_waiting(blocker or "This round cannot be voted on.")
            return
        if record.identity_leak:
            for pane in self.panes.values():
                pane.show_note(wording.NEUTRAL_LEAK)
        self.vote_bar.set_ready()
        self.vote_bar.buttons["a"].setFocus()

    def _on_revealed(self, record) -> None:
        choice = record.vote.choice if record.vote else None
        muted = theme.colours().muted
        for seat, pane in self.panes.items():
            answer = record.answer(seat)
            won = choice == seat if choice in ("a", "b") else None
            pane.reveal(wording.reveal_html(answer, won, muted), wording.display_name(answer))
            pane.show_note("")
        if record.identity_leak:
            # deferred: its patterns are compiled only when a leak is shown, after the first paint
            from desktop.core.contenders.identity import leak_warning  # noqa: PLC0415

            self.panes["a"].show_note(leak_warning(record.leak_names))
        if choice:
            session = self.controller.session
            self.vote_bar.set_voted(choice, session.judge_note if session else None)

    def _update_buttons(self, state: str) -> None:
        running = state == rc.RUNNING
        problem = self._setup_problem is not None
        self.answers.setCurrentIndex(1 if problem and state == rc.IDLE else 0)
        self.send_button.setEnabled(not running and not problem)
        self.stop_button.setEnabled(running)
        self.new_button.setEnabled(state != rc.IDLE)
        for picker in self.pickers:
            picker.setEnabled(not running)
        self.blind.setEnabled(not running)
        self.reveal.setEnabled(not running and self.blind.isChecked())
