"""The vote bar: four choices, one keystroke each (Ctrl+1 … Ctrl+4).

Enabled only when both answers are done without error and the battle is saved; after a vote
it shows what was chosen and stays disabled, so a battle takes exactly one vote.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from desktop.core.contenders.choices import CHOICES, VOTE_LABELS, VOTE_PAST
from desktop.gui.qt_namespace import qt


class VoteBar(QWidget):
    voted = Signal(str)  # "a", "b", "tie" or "both_bad"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Vote")
        self.hint = QLabel("", objectName="muted")
        self.hint.setAccessibleName("Vote status")
        self.hint.setWordWrap(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.hint, 1)
        self.buttons: dict[str, QPushButton] = {}
        self._keys: dict[str, QKeySequence] = {}
        for number, choice in enumerate(CHOICES, start=1):
            keys = QKeySequence(f"Ctrl+{number}")
            label = VOTE_LABELS[choice]
            button = QPushButton(label, objectName="vote")
            shortcut_text = keys.toString(QKeySequence.SequenceFormat.NativeText)
            button.setToolTip(f"{label} ({shortcut_text})")
            button.setAccessibleName(label)
            button.setAccessibleDescription(f"Vote: {label}. Shortcut {shortcut_text}.")
            button.clicked.connect(lambda _=False, c=choice: self._vote(c))
            self._keys[choice] = keys
            layout.addWidget(button)
            self.buttons[choice] = button
        self.set_waiting("Send a prompt to start a round.")

    def _vote(self, choice: str) -> None:
        if self.buttons[choice].isEnabled():
            self.set_enabled(False)
            self.voted.emit(choice)

    def set_enabled(self, enabled: bool) -> None:
        for button in self.buttons.values():
            button.setEnabled(enabled)

    def set_waiting(self, text: str) -> None:
        self.set_enabled(False)
        self.hint.setText(text)

    def set_ready(self) -> None:
        self._finish_buttons()
        self.hint.setText("Which answer is better? Ctrl+1 … Ctrl+4 (the vote judges the whole "
                          "conversation). Or ask a follow-up: Ctrl+Enter.")
        self.set_enabled(True)

    def _finish_buttons(self) -> None:
        """Shortcuts and Tab focus, given when a vote first becomes possible rather than at
        start-up: either call makes Python load the Qt namespace (~15 ms), which the first
        paint should not wait for, and neither matters while the buttons are disabled."""
        if not self._keys:
            return
        for choice, button in self.buttons.items():
            button.setShortcut(self._keys[choice])
            button.setFocusPolicy(qt().FocusPolicy.StrongFocus)  # reachable with Tab everywhere
        self._keys = {}

    def set_voted(self, choice: str, judge_note: str | None = None) -> None:
        """After the vote; `judge_note` is what a model judge said (only ever after it)."""
        self.set_enabled(False)
        note = f" {judge_note}" if judge_note else ""
        self.hint.setText(VOTE_PAST[choice] + note + " Ctrl+N starts a new round.")
