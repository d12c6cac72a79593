"""How fast each seat's answer may be shown: speed must not tell a blind battle's sides apart.

A local model on a laptop starts later and writes slower than a cloud model, so two panes that
stream live name their sides within a second, whatever the titles say. The round session picks a
`reveal` mode for each battle (blind: `paced`, named: `live`) and every face (the window's
panes, `ask` in a terminal) shows a turn through one `RevealPacer`:

- `live`: everything as it arrives (today's behaviour; a named battle hides nothing).
- `paced`: both seats show the same number of characters, the slower side's; so nothing shows
  until both have a first piece, and the amounts stay equal until one seat has shown its whole
  answer. From then on the other goes on at the pace kept so far (characters a second since both
  started), never faster than its text arrives: the rest of a fast side's answer does not appear
  all at once the moment the slow side ends, which would say which side was fast.
- `together`: nothing until both answers are complete, then both at once (a face shows one
  neutral progress indicator for both meanwhile).

A seat's stream is its thinking and answer pieces in arrival order; pacing counts characters
over both, so thinking cannot give the speed away either. A seat's end (`done`) is released
only once its whole text has been shown. The pacer keeps no clock: a face calls `release()` on
its own frame timer (the window at display rate, the terminal a few times a second) and shows
what it returns, passing the time (`now`, seconds on any steady clock). `flush()` (Stop) shows
everything at once. Qt-free; one pacer per turn, used from one thread.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

PACED, TOGETHER, LIVE = "paced", "together", "live"
REVEAL_MODES = (PACED, TOGETHER, LIVE)
TEXT, THOUGHT = "text", "thought"
# The slowest pace kept after one seat has shown all (characters a second, about 12 tokens):
# an answer that began late and ended at once must not hold the other back for minutes.
MIN_PACE = 50.0


class RevealError(ValueError):
    """An unknown reveal mode; says which ones exist."""

    def __init__(self, mode: str) -> None:
        super().__init__(f"'{mode}' is not a reveal mode; use one of: {', '.join(REVEAL_MODES)}.")
        self.message = str(self)


def default_reveal(blind: bool) -> str:
    """Blind battles hide speed; named ones have nothing left to hide."""
    return PACED if blind else LIVE


def check_reveal(mode: str) -> str:
    if mode not in REVEAL_MODES:
        raise RevealError(mode)
    return mode


@dataclass
class Release:
    """What a seat may show now, beyond what it showed before: pieces in order, then maybe its
    end (`done` carries whatever the face passed to `RevealPacer.done`, e.g. the Answer)."""

    pieces: list[tuple[str, str]] = field(default_factory=list)  # (TEXT|THOUGHT, text)
    done: bool = False
    answer: object = None


class _Seat:
    def __init__(self) -> None:
        self.pieces: list[tuple[str, str]] = []
        self.received = 0  # characters received
        self.shown = 0  # characters released
        self.index = 0  # first piece not wholly released
        self.offset = 0  # characters of pieces[index] already released
        self.done = False
        self.answer: object = None
        self.done_released = False

    def take(self, upto: int) -> list[tuple[str, str]]:
        """Release characters up to `upto` (a prefix of the stream), merged by kind."""
        out: list[tuple[str, str]] = []
        while self.shown < upto and self.index < len(self.pieces):
            kind, text = self.pieces[self.index]
            part = text[self.offset:self.offset + (upto - self.shown)]
            self.shown += len(part)
            self.offset += len(part)
            if self.offset >= len(text):
                self.index += 1
                self.offset = 0
            if out and out[-1][0] == kind:
                out[-1] = (kind, out[-1][1] + part)
            else:
                out.append((kind, part))
        return out


class RevealPacer:
    """One turn's pacing for seats `a` and `b` (see the module docstring)."""

    def __init__(self, mode: str, seats: tuple[str, ...] = ("a", "b")) -> None:
        self.mode = check_reveal(mode)
        self._seats = {seat: _Seat() for seat in seats}
        self._started_at: float | None = None  # both had a first piece (paced)
        self._after: tuple[float, int, float] | None = None  # (when, characters, pace) once a
        # seat has shown all: the others go on from there at that pace
        self._flushed = False

    def add(self, seat: str, kind: str, text: str) -> None:
        """A piece of a seat's thinking (THOUGHT) or answer (TEXT) arrived."""
        if text:
            state = self._seats[seat]
            state.pieces.append((kind, text))
            state.received += len(text)

    def done(self, seat: str, answer: object = None) -> None:
        """The seat's answer is complete (finished, failed or stopped)."""
        state = self._seats[seat]
        state.done = True
        state.answer = answer

    @property
    def complete(self) -> bool:
        """Every seat has ended and everything has been released."""
        return all(s.done_released for s in self._seats.values())

    @property
    def holding(self) -> bool:
        """Something has arrived that is not shown yet (a face shows its neutral progress)."""
        return any(s.shown < s.received or (s.done and not s.done_released)
                   for s in self._seats.values())

    def shown(self, seat: str) -> int:
        """Characters of the seat's stream released so far."""
        return self._seats[seat].shown

    def flush(self) -> None:
        """Show everything from now on (the user stopped the battle)."""
        self._flushed = True

    def allowed(self, now: float) -> dict[str, int]:
        """How many characters of each seat's stream may be visible at `now`."""
        seats = self._seats.values()
        everything = {seat: s.received for seat, s in self._seats.items()}
        if self.mode == LIVE or self._flushed:
            return everything
        if self.mode == TOGETHER:
            return everything if all(s.done for s in seats) else {seat: 0 for seat in self._seats}
        common = min(s.received for s in seats)
        if self._started_at is None and common > 0:
            self._started_at = now
        if self._after is None and any(s.done and s.received <= common for s in seats):
            if self._started_at is None:  # a seat ended with nothing: no pace to keep
                self._after = (now, common, float("inf"))
            else:
                pace = common / max(now - self._started_at, 1e-3)
                self._after = (now, common, max(pace, MIN_PACE))
        if self._after is None:
            return {seat: common for seat in self._seats}
        since, base, pace = self._after
        budget = base + pace * (now - since) if pace != float("inf") else float("inf")
        return {seat: int(min(s.received, budget)) for seat, s in self._seats.items()}

    def release(self, now: float | None = None) -> dict[str, Release]:
        """What each seat may show at `now` (default: the monotonic clock) that it has not
        shown yet (empty Releases included)."""
        allowed = self.allowed(time.monotonic() if now is None else now)
        out: dict[str, Release] = {}
        for seat, state in self._seats.items():
            release = Release(pieces=state.take(allowed[seat]))
            if state.done and not state.done_released and state.shown >= state.received:
                state.done_released = True
                release.done, release.answer = True, state.answer
            out[seat] = release
        return out
