"""A prompt set in progress: "k of n", the next prompt after each vote, resumed after a restart.

The panel reads the file with `desktop.core.prompts.promptsets` and shows one prompt at a time in the
prompt editor (it never sends by itself). Its place (file and index) is kept in the window's
settings, so closing the app and opening it again continues where it stopped.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget


class PromptSetPanel(QFrame):
    prompt_chosen = Signal(str, object)  # prompt, category or None
    moved = Signal()  # the place changed: save settings
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notice")
        self.setAccessibleName("Prompt set")
        self.items: list = []
        self.path = ""
        self.index = 0
        self.title = QLabel()
        self.title.setAccessibleName("Prompt set progress")
        self.problems = QLabel(objectName="muted")
        self.prev_button = QPushButton("Previous")
        self.prev_button.setAccessibleName("Previous prompt in the set")
        self.next_button = QPushButton("Next")
        self.next_button.setAccessibleName("Next prompt in the set")
        self.close_button = QPushButton("Close set")
        self.close_button.setAccessibleName("Close the prompt set")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 8, 6)
        layout.addWidget(self.title)
        layout.addWidget(self.problems, 1)
        for button in (self.prev_button, self.next_button, self.close_button):
            layout.addWidget(button)
        self.prev_button.clicked.connect(lambda: self.go(self.index - 1))
        self.next_button.clicked.connect(lambda: self.go(self.index + 1))
        self.close_button.clicked.connect(self.close_set)
        self.hide()

    def open_set(self, prompt_set, index: int = 0) -> None:
        self.items = list(prompt_set.items)
        self.path = str(prompt_set.path)
        skipped = len(prompt_set.problems)
        self.problems.setText(f"{skipped} line{'s' * (skipped != 1)} skipped" if skipped else "")
        self.problems.setToolTip("\n".join(str(p) for p in prompt_set.problems[:20]))
        self.setVisible(bool(self.items))
        self.go(index)

    def go(self, index: int) -> None:
        if not self.items:
            return
        self.index = max(0, min(index, len(self.items)))
        done = self.index >= len(self.items)
        name = Path(self.path).name
        if done:
            self.title.setText(f"<b>{name}</b> · all {len(self.items)} prompts done")
        else:
            self.title.setText(f"<b>{name}</b> · prompt {self.index + 1} of {len(self.items)}")
            item = self.items[self.index]
            self.prompt_chosen.emit(item.prompt, item.category)
        self.prev_button.setEnabled(self.index > 0)
        self.next_button.setEnabled(not done)
        self.moved.emit()

    def advance(self) -> None:
        """After a vote: move on to the next prompt."""
        if self.items and self.index < len(self.items):
            self.go(self.index + 1)

    def close_set(self) -> None:
        self.items, self.path, self.index = [], "", 0
        self.hide()
        self.moved.emit()
        self.closed.emit()
