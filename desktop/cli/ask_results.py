"""What `ask` says about a round: its store and category, its JSON, and what to do next.

The round's rules (coin toss, what blind hides, turns, saving, voting) live in
`desktop.core.battle.round_session.RoundSession`; this module only opens the store for it and words its
results for the terminal.
"""

from __future__ import annotations

import json
import sys

from desktop.cli import UsageError
from desktop.cli._store import StoreUnavailable, open_for_cli, push_for_team
from desktop.core.contenders.answer import Answer
from desktop.core.battle.categories import CategoryError, category_for
from desktop.core.contenders.identity import leak_warning
from desktop.core.contenders.disclosure import shown_answer_dict
from desktop.core.battle.round_session import RoundSession, seat_label
from desktop.core.store import BattleRecord, Store, StoreError, vote_blocker


class AskContext:
    """One `ask` invocation's saving state: the store (if saving), mode and category."""

    def __init__(self, args, *, needs_store: bool = False) -> None:
        self.save = not args.no_save
        self.blind = args.blind
        if self.blind and not self.save:
            raise UsageError("--blind needs the battle saved so you can vote on it; drop --no-save.")
        if needs_store and not self.save:
            raise UsageError("--continue adds a turn to a saved battle; drop --no-save.")
        self.store: Store | None = None
        self.category = "other"
        if self.save:
            try:
                self.store = open_for_cli()
            except StoreUnavailable as exc:
                raise StoreUnavailable(f"{exc} (Or add --no-save to ask without saving.)") from None
            try:
                self.category = category_for(self.store, args.category)
            except CategoryError as exc:
                self.store.close()
                raise UsageError(exc.message) from None
            except StoreError as exc:
                self.store.close()
                raise StoreUnavailable(exc.message) from None
        elif args.category:
            self.category = args.category

    def category_for(self, name: str | None) -> str:
        if self.store is None:
            return name or self.category
        return category_for(self.store, name, self.category, lenient=True)

    def close(self) -> None:
        if self.store is not None:
            push_for_team(self.store)  # the battles just saved, for a team (no-op without one)
            self.store.close()


def labels(session: RoundSession) -> dict[str, str]:
    """Slot -> the label its lines carry: A/B when blind (seat A first), else left/right."""
    if session.blind:
        return {slot: seat_label(seat) for seat, slot in session.seats.items()}
    return {"left": "left", "right": "right"}


def json_result(session: RoundSession, answers: dict[str, Answer],
                record: BattleRecord | None) -> dict:
    """The JSON `ask --json` prints: left/right when named; a/b without names when blind."""
    turn = record.turns[-1].number if record is not None else session.turn
    if session.blind and record is not None:
        out: dict = {"battle_id": record.id, "mode": "blind", "category": record.category,
                     "turn": turn}
        for seat, slot in session.seats.items():
            out[seat] = shown_answer_dict(answers[slot], seat, session.revealed)
    else:
        out = {"turn": turn, **{side: answers[side].to_dict() for side in ("left", "right")}}
        if record is not None:
            out = {"battle_id": record.id, "mode": "named", "category": record.category, **out}
    if record is not None:
        out["identity_leak"] = record.identity_leak
        out["leak_names"] = record.leak_names
        blocked = vote_blocker(record)
        out["vote"] = (
            {"allowed": False, "reason": blocked.message} if blocked else
            {"allowed": True, "command": f"sidebyside vote {record.id} a|b|tie|both_bad"}
        )
        out["continue"] = f"sidebyside ask --continue {record.id} PROMPT"
    return out


def print_json(data: dict, *, lines: bool = False) -> None:
    if lines:
        print(json.dumps(data, ensure_ascii=False), flush=True)
    else:
        print(json.dumps(data, ensure_ascii=False, indent=2))


def after_battle(record: BattleRecord | None, blind: bool, out=None) -> None:
    """Tell the user what the saved turn is and how to vote or go on (or why they cannot)."""
    out = out or sys.stdout
    if record is None:
        return
    blocked = vote_blocker(record)
    turn = record.turns[-1].number if record.turns else 1
    saved = f"Battle {record.short_id} turn {turn} saved." if turn > 1 else \
        f"Battle {record.short_id} saved."
    if record.identity_leak and blocked is None:
        print(leak_warning(record.leak_names), file=out)
    if blocked is not None:
        print(f"{saved} {blocked.message}", file=out)
        return
    sides = "" if blind else " (a = left, b = right)"
    print(f"{saved} Vote with: sidebyside vote {record.short_id} a|b|tie|both_bad{sides}; "
          f"follow up with: sidebyside ask --continue {record.short_id} PROMPT", file=out)


def progress(index: int, total: int, line: int, category: str) -> None:
    print(f"[{index}/{total}] prompt from line {line} · {category}", file=sys.stderr, flush=True)
