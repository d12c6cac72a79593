"""Splits streaming Markdown into finished blocks and one open tail, in linear time.

The answer pane renders a finished block once and never again; only the open tail (the block
still being written) is redrawn as text arrives. A block ends at a blank line, after a heading
line, or at the line that closes a code fence; a fence opening line starts a new block. Each
character is scanned once, so feeding an answer in any number of pieces costs O(length).
Qt-free so that it can be tested, and reasoned about, on its own.
"""

from __future__ import annotations

import re

_HEADING = re.compile(r"^ {0,3}#{1,6}(\s|$)")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


class BlockSplitter:
    def __init__(self) -> None:
        self._partial: list[str] = []  # pieces of the last line, not yet ended by a newline
        self._partial_len = 0
        self._lines: list[str] = []  # complete lines of the open block
        self._lines_len = 0
        self._fence: str | None = None  # the open fence's marker, e.g. "```"

    @property
    def in_fence(self) -> bool:
        return self._fence is not None

    @property
    def tail_length(self) -> int:
        return self._lines_len + self._partial_len

    @property
    def tail(self) -> str:
        """Source of the open block: its complete lines plus the partial last line."""
        return "".join(self._lines) + "".join(self._partial)

    @property
    def fence_body(self) -> str:
        """Inside an open fence: the code so far, without the opening fence line."""
        return "".join(self._lines[1:]) + "".join(self._partial) if self._fence else ""

    def feed(self, text: str) -> list[str]:
        """Add text; return the blocks it finished, in order. Costs O(len(text))."""
        done: list[str] = []
        if not text:
            return done
        if "\n" not in text:
            self._partial.append(text)
            self._partial_len += len(text)
            return done
        head, *rest = text.split("\n")
        first = "".join(self._partial) + head
        self._partial, self._partial_len = [], 0
        for line in [first, *rest[:-1]]:
            self._line(line + "\n", done)
        if rest[-1]:
            self._partial, self._partial_len = [rest[-1]], len(rest[-1])
        return done

    def finish(self) -> list[str]:
        """The answer ended: everything left is a finished block."""
        done: list[str] = []
        if self._partial:
            self._line("".join(self._partial), done)
            self._partial, self._partial_len = [], 0
        self._emit(done)
        self._fence = None
        return done

    def _line(self, line: str, done: list[str]) -> None:
        stripped = line.strip()
        if self._fence is not None:
            self._add(line)
            if stripped.startswith(self._fence) and set(stripped) == {self._fence[0]}:
                self._fence = None
                self._emit(done)
            return
        fence = _FENCE.match(line)
        if fence:
            self._emit(done)
            self._fence = fence.group(1)
            self._add(line)
        elif not stripped:
            self._emit(done)
        elif _HEADING.match(line):
            self._emit(done)
            self._add(line)
            self._emit(done)
        else:
            self._add(line)

    def _add(self, line: str) -> None:
        self._lines.append(line)
        self._lines_len += len(line)

    def _emit(self, done: list[str]) -> None:
        if self._lines:
            done.append("".join(self._lines))
            self._lines, self._lines_len = [], 0
