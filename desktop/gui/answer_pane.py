"""One answer pane: its state, the streaming answer as Markdown, and the reveal after the vote.

Text arrives through `append()` (once a frame, see battle_runner) and is rendered in the same
pass of the event loop (a zero timer joins what one frame brought) by `IncrementalMarkdown`,
which only redraws the block still being written: a frame wakes the UI thread once, not once
for the drain and again for each pane. Before the vote the pane says nothing that could tell
which model wrote it: its title is "A" or "B", its states are the same words for every model,
and no metric is shown (blind, the thinking header says only "Thinking…"; `set_blind`).
`reveal()` adds the name and metrics. Thinking has its own collapsed block above the answer,
in every pane alike (thinking_block.py).

In a conversation the pane shows it turn by turn: the earlier turns (each prompt above this
seat's answer) in a read-only view above, then the current turn's prompt, then its answer.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPainter
from PySide6.QtWidgets import (
    QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton, QSizePolicy, QTextBrowser, QVBoxLayout,
    QWidget,
)

from typing import TYPE_CHECKING

from desktop.gui import theme, wording
from desktop.gui.qt_namespace import qt
from desktop.gui.thinking_block import ThinkingBlock

if TYPE_CHECKING:  # not imported to paint the window: see round_controller
    from desktop.core.contenders.answer import Answer, Status

RENDER_INTERVAL_MS = 0  # render after the frame's drain, in the same pass (text comes once a frame)


class AnswerView(QTextBrowser):
    """The answer's text. It paints its own background, the card's colour, under the text, and
    once an answer streams it says so (`paint_opaque`): a view Qt takes for transparent made
    every frame of a streaming answer repaint the whole window behind it, each ancestor and
    every widget in the merged region, CPU taken from a local model answering beside it
    (bench figures 1a, 1b)."""

    def paintEvent(self, event) -> None:
        painter = QPainter(self.viewport())
        painter.fillRect(event.rect(), QColor(theme.colours().card))
        painter.end()
        super().paintEvent(event)

    def paint_opaque(self) -> None:
        """Tell Qt that the text and its scroll bar cover what is behind them, so that a frame
        repaints them alone. Done with the first answer, not when built: the `Qt` namespace
        it needs loads after the first paint (qt_namespace.py)."""
        self.viewport().setAttribute(qt().WidgetAttribute.WA_OpaquePaintEvent, True)
        bar = self.verticalScrollBar()  # its value moves with every frame of a long answer
        bar.setAutoFillBackground(True)
        bar.parentWidget().setAutoFillBackground(True)


class AnswerPane(QFrame):
    copied = Signal(str)

    def __init__(self, position: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.position = position  # "a" or "b"
        self.label = position.upper()
        self.setObjectName("card")
        self.setAccessibleName(f"Answer {self.label}")
        self._pending: list[str] = []
        self._retry_left = 0
        self._state = "empty"

        self.title = QLabel(self.label, objectName="paneTitle")
        self.state = QLabel("", objectName="paneState")
        self.state.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.name = QLabel(objectName="revealName")  # shown after the vote only
        self.name.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.name.hide()
        self.state.setAccessibleName(f"State of answer {self.label}")
        self.copy_button = QPushButton("Copy")
        self.copy_button.setAccessibleName(f"Copy answer {self.label}")
        self.copy_button.setToolTip(f"Copy answer {self.label} as Markdown")
        self.copy_button.setEnabled(False)
        self.copy_button.clicked.connect(self.copy)
        header = QHBoxLayout()
        header.addWidget(self.title)
        header.addSpacing(6)
        header.addWidget(self.state, 1)
        header.addWidget(self.copy_button)

        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress.setRange(0, 100)
        self.progress.setAccessibleName(f"Progress of answer {self.label}")
        self.progress.hide()

        self.thinking = ThinkingBlock(self.label)

        self.view = AnswerView(objectName="answer")
        self.view.setOpenExternalLinks(True)
        self.view.setAccessibleName(f"Answer {self.label} text")
        self.view.setPlaceholderText(f"Answer {self.label} will appear here.")
        self.view.document().setDocumentMargin(2)
        self._markdown = None  # made on first use: see `markdown`

        # Earlier turns of the conversation, each prompt above this seat's answer to it.
        self.earlier = QTextBrowser(objectName="earlier")
        self.earlier.setAccessibleName(f"Earlier turns of answer {self.label}")
        self.earlier.setMaximumHeight(220)
        self.earlier.hide()
        self.turn_prompt = QLabel(objectName="muted")  # "Turn 2 · You: ..."
        self.turn_prompt.setWordWrap(True)
        self.turn_prompt.setAccessibleName(f"Prompt answer {self.label} is answering")
        self.turn_prompt.hide()
        self._turns: list[tuple[int, str, str]] = []  # (number, prompt, answer) of earlier turns
        self._turn = 0
        self._turn_text = ""

        self.error = QLabel(objectName="error")  # selectable once shown (see finish)
        self.error.setWordWrap(True)
        self.error.hide()
        self.note = QLabel(objectName="warning")
        self.note.setWordWrap(True)
        self.note.hide()
        self.reveal_label = QLabel(objectName="reveal")  # rich text (see reveal)
        self.reveal_label.setWordWrap(True)
        self.reveal_label.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 12)
        layout.setSpacing(6)
        layout.addLayout(header)
        layout.addWidget(self.name)
        layout.addWidget(self.progress)
        layout.addWidget(self.earlier)
        layout.addWidget(self.turn_prompt)
        layout.addWidget(self.thinking)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.note)
        layout.addWidget(self.reveal_label)

        self._render_timer = QTimer(self, singleShot=True, interval=RENDER_INTERVAL_MS)
        self._render_timer.timeout.connect(self._render)
        self._retry_timer = QTimer(self, interval=1000)
        self._retry_timer.timeout.connect(self._tick_retry)
        self.reset()

    @property
    def markdown(self):
        """The answer's renderer (`IncrementalMarkdown`), made on first use: an empty pane
        needs none to be painted, and its Qt text classes cost start-up time. warm_up imports
        it after the first paint, so the first answer does not pay for it either."""
        if self._markdown is None:
            # deferred: the markdown renderer's Qt text classes are not needed to paint
            from desktop.gui.markdown_doc import IncrementalMarkdown  # noqa: PLC0415

            self._markdown = IncrementalMarkdown(self.view.document(), QColor(theme.colours().code))
            self.view.paint_opaque()
        return self._markdown

    # -- turns ----------------------------------------------------------------------------
    def start_turn(self, number: int, prompt: str) -> None:
        """A turn begins: a finished earlier turn moves up into the conversation above; a
        retried turn (the same number) just starts again."""
        if number <= 1:
            self.reset()
        else:
            if number > self._turn and self._turn >= 1:
                self._turns.append((self._turn, self._turn_text, self.markdown.source))
            self._clear_answer()
            self._render_earlier()
        self._turn, self._turn_text = number, prompt
        self.turn_prompt.setText(f"Turn {number} · You: {prompt}")
        self.turn_prompt.setVisible(number > 1)

    def _render_earlier(self) -> None:
        parts = [
            f"<p><b>Turn {n} · You:</b> {wording.escape_html(prompt)}</p>"
            f"<p style='white-space:pre-wrap'>{wording.escape_html(answer)}</p><hr/>"
            for n, prompt, answer in self._turns
        ]
        self.earlier.setHtml("".join(parts))
        self.earlier.setVisible(bool(parts))
        bar = self.earlier.verticalScrollBar()
        bar.setValue(bar.maximum())

    @property
    def earlier_turns(self) -> list[tuple[int, str, str]]:
        return list(self._turns)

    # -- states ---------------------------------------------------------------------------
    def reset(self) -> None:
        """A new conversation: nothing of the last one stays."""
        self._turns.clear()
        self._turn, self._turn_text = 0, ""
        self.earlier.clear()
        self.earlier.hide()
        self.turn_prompt.clear()
        self.turn_prompt.hide()
        self._clear_answer()

    def _clear_answer(self) -> None:
        self._pending.clear()
        self._render_timer.stop()
        self._retry_timer.stop()
        if self._markdown is not None:
            self._markdown.clear()
        self.thinking.reset()
        self.progress.hide()
        self.error.hide()
        self.note.hide()
        self.reveal_label.hide()
        self.copy_button.setEnabled(False)
        self.name.clear()
        self.name.setToolTip("")
        self.name.hide()
        self._set_state("empty", "")

    def set_blind(self, blind: bool) -> None:
        """Blind until the vote: no count or time in the thinking header."""
        self.thinking.set_blind(blind)

    def begin(self) -> None:
        self._set_state("waiting", wording.WAITING)

    def set_status(self, status: Status) -> None:
        if status.state == "notice":  # a setting left out: said, and the pane carries on
            self.show_note(status.message)
            return
        self._retry_timer.stop()
        if status.state == "loading":
            self.progress.show()
            pct = int(round((status.progress or 0.0) * 100))
            self.progress.setValue(pct)
            self._set_state("loading", wording.loading(pct))
        elif status.state == "waiting":
            self.progress.hide()
            self._set_state("waiting", wording.WAITING)
        elif status.state == "retrying":
            self.progress.hide()
            self._retry_left = int(round(status.retry_in_s or 0))
            self._set_state("retrying", wording.retrying(self._retry_left))
            if self._retry_left > 0:
                self._retry_timer.start()
        else:
            self.progress.hide()
            self._set_state("streaming", wording.STREAMING)

    def _tick_retry(self) -> None:
        self._retry_left = max(0, self._retry_left - 1)
        self._set_state("retrying", wording.retrying(self._retry_left))
        if self._retry_left == 0:
            self._retry_timer.stop()

    def append_thought(self, text: str, pieces: int = 1) -> None:
        if self._state != "streaming":
            self.progress.hide()
            self._retry_timer.stop()
            self._set_state("streaming", wording.STREAMING)
        self.thinking.append(text, pieces)

    def append(self, text: str) -> None:
        self.thinking.answer_started()
        if self._state != "streaming":
            self.progress.hide()
            self._retry_timer.stop()
            self._set_state("streaming", wording.STREAMING)
        self._pending.append(text)
        if not self._render_timer.isActive():
            self._render_timer.start()

    def _render(self) -> None:
        if not self._pending:
            return
        text = "".join(self._pending)
        self._pending.clear()
        bar = self.view.verticalScrollBar()
        follow = bar.value() >= bar.maximum() - 4
        self.markdown.append(text)
        if follow:
            bar.setValue(bar.maximum())

    def finish(self, answer: Answer) -> None:
        """The side is done: show the whole answer and say how it ended, in plain words."""
        self._render_timer.stop()
        self._render()
        self.markdown.finish()
        self._retry_timer.stop()
        self.progress.hide()
        self.copy_button.setEnabled(bool(self.markdown.source))
        self.thinking.finish(answer)
        state, message = wording.finished(answer)
        self._set_state(state, wording.FINISH_WORDS[state])
        if message:
            # qt(), not Qt at the top: loading the Qt namespace costs ~20 ms at start-up
            self.error.setTextInteractionFlags(qt().TextInteractionFlag.TextSelectableByMouse)
            self.error.setText(message)
            self.error.show()

    def show_note(self, text: str) -> None:
        self.note.setText(text)
        self.note.setVisible(bool(text))

    def reveal(self, html: str, name: str) -> None:
        self.thinking.set_blind(False)  # the vote is in: the counts and times may show
        self.name.setText(name)
        self.name.setToolTip(name)
        self.name.show()
        self.reveal_label.setTextFormat(qt().TextFormat.RichText)
        self.reveal_label.setText(html)
        self.reveal_label.show()

    @property
    def state_name(self) -> str:
        return self._state

    def _set_state(self, name: str, text: str) -> None:
        self._state = name
        self.state.setText(text)
        self.setAccessibleDescription(f"Answer {self.label}: {text}" if text else "")

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.markdown.source)
        self.copied.emit(self.position)
