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
# Characters with a meaning somewhere in GitHub Markdown inline text (emphasis, code, links,
# autolinks, HTML, entities, tables, escapes, strikethrough, headings); "/" and "@" for the
# permissive autolinks ("https://…", "name@host").
# Besides: a space before a line break inside the paragraph (a break or a stripped space), and
# a blank line (which would end the paragraph).
_MARKUP = re.compile(r"[\\`*_\[\]<>&#|~@/$\t\r\x00-\x08\x0b-\x1f]| \n(?=.)|www\.|\n\n|^\n",
                     re.IGNORECASE)
_LINE_START = re.compile(r"(?:^|\n)([^\n])", re.MULTILINE)


def reads_as_plain_text(source: str) -> bool:
    """Whether a paragraph's Markdown source shows exactly as its own text, its lines joined
    by spaces: nothing in it is markup, and no line starts anything but a paragraph line (a list
    item, a quote, a heading's underline, indented code: each starts with a digit, a sign or a
    space). Conservative: False sends the text through the Markdown parser, which is only
    slower. True for every prefix of a source it is True for, so a paragraph that reads as plain
    text while it streams ends as it was shown (markdown_doc uses this to skip re-parsing)."""
    if _MARKUP.search(source):
        return False
    for match in _LINE_START.finditer(source):
        first = match.group(1)
        if not (first.isalpha() or first in "\"'("):
            return False
    return True


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
