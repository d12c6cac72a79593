"""Live terminal view of a battle: both answers stream at once as labelled, wrapped lines.

Two streams cannot share one cursor, so each side's text is buffered to a line (or to the
terminal's width, broken at a space) and printed with its label; lines of the two sides
interleave in the order they complete. Thinking streams the same way on lines marked
"thinking:" (dimmed on a terminal), apart from the answer. Metrics follow, one line per side.
"""

from __future__ import annotations

import shutil
import sys
from typing import TextIO

from desktop.cli.terminal import write_styled
from desktop.core.contenders.answer import Answer
from desktop.core.contenders.metrics import metrics_line as answer_metrics

_COLOURS = {0: "\033[36m", 1: "\033[35m"}
_RESET = "\033[0m"
_DIM = "\033[2m"


class LivePrinter:
    def __init__(self, labels: dict[str, str], out: TextIO | None = None) -> None:
        self.out = out or sys.stdout
        self.colour = self.out.isatty()
        width = max(len(label) for label in labels.values())
        self.labels: dict[str, tuple[str, str]] = {}  # slot -> (colour code or '', text)
        for index, (slot, label) in enumerate(labels.items()):
            text = label.ljust(width) + " │ "
            self.labels[slot] = (_COLOURS[index % 2] if self.colour else "", text)
        self.width = max(20, shutil.get_terminal_size((100, 24)).columns - width - 3)
        self.buffers = {slot: "" for slot in labels}
        self.thought_buffers = {slot: "" for slot in labels}

    def text(self, slot: str, piece: str) -> None:
        self.buffers[slot] = self._wrap(slot, self.buffers[slot] + piece, self._line)

    def thought(self, slot: str, piece: str) -> None:
        self.thought_buffers[slot] = self._wrap(
            slot, self.thought_buffers[slot] + piece, self._thought_line)

    def _wrap(self, slot: str, buffer: str, write) -> str:
        """Write the whole lines in `buffer`; return what is left for the next piece."""
        while True:
            newline = buffer.find("\n")
            if 0 <= newline <= self.width:
                write(slot, buffer[:newline].removesuffix("\r"))  # a Windows line end
                buffer = buffer[newline + 1:]
                continue
            if len(buffer) > self.width:
                cut = buffer.rfind(" ", 0, self.width)
                cut = self.width if cut <= 0 else cut
                write(slot, buffer[:cut])
                buffer = buffer[cut:].lstrip(" ")
                continue
            return buffer

    def _thought_line(self, slot: str, text: str) -> None:
        self._line(slot, f"thinking: {text}", dim=True)

    def status(self, slot: str, message: str) -> None:
        self._line(slot, message if self.colour else f"({message})", dim=True)

    def finish(self, slot: str) -> None:
        if self.thought_buffers[slot]:
            self._thought_line(slot, self.thought_buffers[slot])
            self.thought_buffers[slot] = ""
        if self.buffers[slot]:
            self._line(slot, self.buffers[slot])
            self.buffers[slot] = ""

    def _line(self, slot: str, text: str, dim: bool = False) -> None:
        # Only the label's colour and the dimming are escape codes of ours; the text (an
        # answer, a model's name, a server's message) is made visible (terminal.py).
        colour, label = self.labels[slot]
        dim = dim and self.colour
        write_styled(self.out, (colour, True), (label, False), (_RESET if colour else "", True),
                     (_DIM if dim else "", True), (text, False), (_RESET if dim else "", True),
                     ("\n", False))
        self.out.flush()

    def metrics(self, slot: str, answer: Answer, name: str, *, blind: bool = False) -> None:
        self._line(slot, metrics_line(answer, name, blind=blind))


def metrics_line(answer: Answer, name: str, *, blind: bool = False) -> str:
    """The line after an answer. `blind` (before the vote): how it ended, no count or time,
    which would tell a fast side from a slow one (`sidebyside show` has them after the vote)."""
    if answer.error is not None and answer.error.kind != "cancelled":
        return f"{name}: error ({answer.error.kind}): {answer.error.message}"
    if blind:
        return " · ".join([name, answer.finish_reason or ""]).rstrip(" ·")
    parts = [name, answer_metrics(answer), answer.finish_reason or ""]
    return " · ".join(p for p in parts if p)
