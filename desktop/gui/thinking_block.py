"""A pane's thinking: a collapsed "Thinking · N tokens · T s" header that expands to the text.

Every answer pane has one, shown the same way whether its model thought or not ("Thinking ·
0 tokens · 0.0 s"), so that before the vote the shape of a pane names nobody: a reasoning model
and a model that does not think differ only in the numbers, as two answers differ in length.
While streaming, N counts the pieces that arrived and T runs from the first of them; when the
side is done both come from the answer (`thinking_tokens`; time to the first answer token minus
time to the first thought).

Blind, before the vote, the header is just "Thinking…": a count or a time would tell a fast
side from a slow one. The numbers are kept and shown once `set_blind(False)` (the reveal).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QPlainTextEdit, QToolButton, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from desktop.core.contenders.answer import Answer

CLOSED, OPEN = "▸", "▾"
BLIND_HEADER = "Thinking…"


def header_text(tokens: int, seconds: float) -> str:
    return f"Thinking · {tokens} tokens · {seconds:.1f} s"


def thinking_seconds(answer: Answer) -> float:
    """How long the model thought: from its first thought to its first answer token (or to the
    end, when it never answered)."""
    if answer.ttft_thinking_s is None:
        return 0.0
    until = answer.ttft_s if answer.ttft_s is not None else answer.total_s
    return max(0.0, (until or 0.0) - answer.ttft_thinking_s)


class ThinkingBlock(QWidget):
    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = label
        self.blind = False
        self._figures = (0, 0.0)
        self._header = header_text(0, 0.0)
        self.toggle = QToolButton(objectName="thinkingToggle")
        self.toggle.setCheckable(True)
        self.toggle.setAutoRaise(True)
        self.toggle.setAccessibleName(f"Thinking of answer {label}")
        self.toggle.setToolTip(f"Show or hide the thinking before answer {label}")
        self.toggle.toggled.connect(self._expand)
        self.text = QPlainTextEdit(objectName="thinking")
        self.text.setReadOnly(True)
        self.text.setAccessibleName(f"Thinking of answer {label} text")
        self.text.setMaximumHeight(160)
        self.text.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.toggle)
        layout.addWidget(self.text)
        self.reset()

    def reset(self) -> None:
        self.text.clear()
        self._pieces = 0
        self._first_at: float | None = None
        self._until: float | None = None
        self.toggle.setChecked(False)
        self._show(0, 0.0)

    def append(self, text: str, pieces: int = 1) -> None:
        """Thinking that just arrived, `pieces` streamed pieces of it (about one token each)."""
        now = time.monotonic()
        if self._first_at is None:
            self._first_at = now
        self._pieces += pieces
        cursor = self.text.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        cursor.insertText(text)
        self._show(self._pieces, now - self._first_at)

    def answer_started(self) -> None:
        """The answer began: the thinking time stops running."""
        if self._first_at is not None and self._until is None:
            self._until = time.monotonic()
            self._show(self._pieces, self._until - self._first_at)

    def finish(self, answer: Answer) -> None:
        """The side is done: the counts and the text as the answer records them."""
        if (answer.thinking or "") != self.text.toPlainText().strip():
            self.text.setPlainText(answer.thinking or "")
        self._show(answer.thinking_tokens or 0, thinking_seconds(answer))

    def set_blind(self, blind: bool) -> None:
        """Blind: the header names no count or time until the vote (see the docstring)."""
        self.blind = blind
        self._show(*self._figures)

    def _show(self, tokens: int, seconds: float) -> None:
        arrow = OPEN if self.toggle.isChecked() else CLOSED
        self._figures = (tokens, seconds)
        self._header = BLIND_HEADER if self.blind else header_text(tokens, seconds)
        self.toggle.setText(f"{arrow} {self._header}")

    def _expand(self, shown: bool) -> None:
        self.text.setVisible(shown)
        arrow = OPEN if shown else CLOSED
        self.toggle.setText(f"{arrow} {self._header}")

    @property
    def header(self) -> str:
        return self._header
