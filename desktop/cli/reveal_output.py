"""`ask`'s live terminal view through the reveal pacer (desktop/core/battle/reveal.py): a blind battle
prints its two answers at one common pace (`paced`) or both once complete (`together`), so the
order and rhythm of the lines do not tell which side is local. `live` never comes here
(ask.drive_turn prints events as they arrive).

The battle's queue is read without waiting a few times a second (one "frame"), the pieces go
into the pacer, and what it releases goes to the `LivePrinter`. Ctrl+C stops both sides; their
partial answers are then shown at once.
"""

from __future__ import annotations

import sys
import time

from desktop.cli.live import LivePrinter
from desktop.core.contenders.answer import EV_DELTA, EV_DONE, EV_STATUS, EV_THINKING
from desktop.core.battle.reveal import TEXT, THOUGHT, TOGETHER, RevealPacer
from desktop.core.battle.round_session import SLOTS

FRAME_S = 1 / 30
TOGETHER_LINE = "Both answers will show together, once both are complete…"


def drive_paced(battle, labels: dict[str, str], mode: str) -> None:
    """Drain one started turn, printing what `mode` allows (see the module docstring)."""
    printer = LivePrinter(labels)
    pacer = RevealPacer(mode, seats=SLOTS)
    if mode == TOGETHER:
        print(TOGETHER_LINE, file=sys.stderr, flush=True)
    while not pacer.complete:
        try:
            events = battle.events_so_far()
            if not events:
                time.sleep(FRAME_S)
        except KeyboardInterrupt:  # Ctrl+C stops both sides; what arrived shows at once
            battle.stop()
            pacer.flush()
            continue
        for event in events:
            if event.type == EV_DELTA:
                pacer.add(event.slot, TEXT, event.text)
            elif event.type == EV_THINKING:
                pacer.add(event.slot, THOUGHT, event.text)
            elif event.type == EV_DONE:
                pacer.done(event.slot)
            elif event.type == EV_STATUS and event.status is not None:
                _status(event, printer)
        for slot, release in pacer.release().items():
            for kind, text in release.pieces:
                (printer.text if kind == TEXT else printer.thought)(slot, text)
            if release.done:
                printer.finish(slot)
    battle.wait()


def _status(event, printer: LivePrinter) -> None:
    """Said once (safe mode) on stderr; a setting left out under the seat's label. A retry is
    not shown: only a remote provider retries, so it would name the side."""
    if event.status.state == "announce":
        print(f"sidebyside: {event.status.message}", file=sys.stderr)
    elif event.status.state == "notice":
        printer.status(event.slot, event.status.message)
