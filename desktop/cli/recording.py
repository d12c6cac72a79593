"""What `ask` adds for issue 4: saving each battle, blind A/B presentation, prompt sets.

Kept apart from ask.py so the command stays a thin loop: ask runs battles, this module decides
how a battle is labelled, saves it through the same core call the window uses
(`battle_record.record_battle`), and says what the user can do next (vote, or why not).
"""

from __future__ import annotations

import dataclasses
import json
import sys

from desktop.cli import UsageError
from desktop.cli._store import StoreUnavailable, open_for_cli
from desktop.core.answer import Answer
from desktop.core.battle_record import assign_sides, other_slot, record_battle
from desktop.core.categories import CategoryError, resolve_category
from desktop.core.identity import leak_warning
from desktop.core.store import BattleRecord, Store, StoreError, vote_blocker

# Fields of an answer that would give a blind battle away before the vote.
_REVEALING = ("contender", "provider", "model", "kind", "cost_usd")


class Session:
    """One `ask` invocation's saving state: the store (if saving), mode and category."""

    def __init__(self, args) -> None:
        self.save = not args.no_save
        self.blind = args.blind
        if self.blind and not self.save:
            raise UsageError("--blind needs the battle saved so you can vote on it; drop --no-save.")
        self.store: Store | None = None
        self.category = "other"
        if self.save:
            try:
                self.store = open_for_cli()
            except StoreUnavailable as exc:
                raise StoreUnavailable(f"{exc} (Or add --no-save to ask without saving.)") from None
            try:
                self.category = resolve_category(self.store, args.category)
            except CategoryError as exc:
                self.store.close()
                raise UsageError(exc.message) from None
            except StoreError as exc:
                self.store.close()
                raise StoreUnavailable(exc.message) from None
        elif args.category:
            self.category = args.category

    def category_for(self, name: str | None) -> str:
        if not name or self.store is None:
            return name or self.category
        try:
            return resolve_category(self.store, name)
        except CategoryError:
            return self.category

    def new_assignment(self) -> str:
        """The slot shown as A: a fair coin when blind, else the left one."""
        return assign_sides() if self.blind else "left"

    def labels(self, a_slot: str) -> dict[str, str]:
        if self.blind:
            return {a_slot: "A", other_slot(a_slot): "B"}
        return {"left": "left", "right": "right"}

    def record(self, battle, a_slot: str, category: str | None = None) -> BattleRecord | None:
        """Save the finished battle; None when not saving. Raises StoreError if it fails."""
        if self.store is None:
            return None
        return record_battle(
            self.store, battle, mode="blind" if self.blind else "named", a_slot=a_slot,
            category=category or self.category,
        )

    def close(self) -> None:
        if self.store is not None:
            self.store.close()


def blind_answer(answer: Answer) -> Answer:
    """The answer as shown before the vote: no names, no price."""
    return dataclasses.replace(answer, contender="", provider="", model="", kind="", cost_usd=None)


def json_result(session: Session, answers: dict[str, Answer], record: BattleRecord | None,
                a_slot: str) -> dict:
    """The JSON `ask --json` prints: left/right when named; a/b without names when blind."""
    if session.blind and record is not None:
        out: dict = {"battle_id": record.id, "mode": "blind", "category": record.category}
        for position, slot in (("a", a_slot), ("b", other_slot(a_slot))):
            data = answers[slot].to_dict()
            out[position] = {k: v for k, v in data.items() if k not in _REVEALING}
    else:
        out = {side: answers[side].to_dict() for side in ("left", "right")}
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
    return out


def print_json(data: dict, *, lines: bool = False) -> None:
    if lines:
        print(json.dumps(data, ensure_ascii=False), flush=True)
    else:
        print(json.dumps(data, ensure_ascii=False, indent=2))


def after_battle(record: BattleRecord | None, blind: bool, out=None) -> None:
    """Tell the user what the saved battle is and how to vote on it (or why they cannot)."""
    out = out or sys.stdout
    if record is None:
        return
    blocked = vote_blocker(record)
    if record.identity_leak and blocked is None:
        print(leak_warning(record.leak_names), file=out)
    if blocked is not None:
        print(f"Battle {record.short_id} saved. {blocked.message}", file=out)
        return
    sides = "" if blind else " (a = left, b = right)"
    print(f"Battle {record.short_id} saved. Vote with: sidebyside vote {record.short_id} "
          f"a|b|tie|both_bad{sides}", file=out)


def progress(index: int, total: int, line: int, category: str) -> None:
    print(f"[{index}/{total}] prompt from line {line} · {category}", file=sys.stderr, flush=True)
