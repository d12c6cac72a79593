"""The fair coin and the slot helpers, and a one-call save of a finished one-turn battle.

Blind mode decides *before* the answers are shown which contender slot sits in seat A (shown
first, on the left) and which in seat B, with a fair coin from the operating system's random
source (`assign_sides`). The engine itself always runs "left" and "right" slots; `a_slot`
records which of them was seat A, so the vote can be mapped back and the reveal is exact.
Conversations (turns, blind rules, voting) are `round_session.RoundSession`'s, which the CLI and
the window drive; `record_battle` is the short path for a single finished battle (tests, tools).
"""

from __future__ import annotations

import random
import secrets

from desktop.core.contenders.answer import Answer
from desktop.core.store.battles import BattleRecord, make_record, save_battle
from desktop.core.store.db import Store

_SYSTEM_RANDOM = secrets.SystemRandom()


def assign_sides(rng: random.Random | None = None) -> str:
    """A fair coin: the slot ("left" or "right") whose contender is shown as A."""
    return "left" if (rng or _SYSTEM_RANDOM).getrandbits(1) == 0 else "right"


def other_slot(slot: str) -> str:
    return "right" if slot == "left" else "left"


def positions(a_slot: str) -> dict[str, str]:
    """Slot -> position: {"left": "a", "right": "b"} when the left slot is A."""
    return {a_slot: "a", other_slot(a_slot): "b"}


def record_from_answers(
    prompt: str,
    answers: dict[str, Answer],
    *,
    params: dict | None = None,
    mode: str = "named",
    a_slot: str = "left",
    category: str = "other",
    battle_id: str | None = None,
) -> BattleRecord:
    """A BattleRecord from the two slots' answers (`answers["left"]`, `answers["right"]`)."""
    return make_record(
        prompt,
        answers[a_slot],
        answers[other_slot(a_slot)],
        mode=mode,
        a_slot=a_slot,
        category=category,
        params=params,
        battle_id=battle_id,
    )


def record_battle(
    store: Store,
    battle,
    *,
    mode: str = "named",
    a_slot: str = "left",
    category: str = "other",
    battle_id: str | None = None,
) -> BattleRecord:
    """Save a finished `desktop.core.battle.engine.Battle` (both answers present) in one transaction.

    `category` should already be canonical (see `categories.resolve_category`)."""
    missing = [slot for slot in ("left", "right") if slot not in battle.answers]
    if missing:
        raise ValueError(f"the battle has not finished: no answer for {', '.join(missing)}")
    record = record_from_answers(
        battle.request.prompt,
        battle.answers,
        params=battle.request.params.to_dict(),
        mode=mode,
        a_slot=a_slot,
        category=category,
        battle_id=battle_id,
    )
    return save_battle(store, record)
