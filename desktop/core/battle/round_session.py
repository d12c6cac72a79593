"""One round (a conversation between seated contenders), without any face: the CLI and the window
both drive this object and neither re-states its rules.

It owns:
- **Seats and slots** (docs/architecture.md). A *slot* (`left`/`right`: the CLI's `--left`/`--right`,
  the window's pickers) is where the user put a contender; a *seat* (`a`, `b`, ...: `SEATS`) is
  where its answer is shown and what the vote names. The fair coin (`toss_coin`) decides, before
  anything is shown, which slot sits in seat A; a contender keeps its seat for the whole
  conversation. Everything a face shows is addressed by seat, never by slot.
- **Blind rules.** Before the vote a blind round shows no name, provider, model, kind or price
  (`public_answer`), errors and retry notices name a seat, never a provider, model or host
  (`public_status`), and status lines that would tell which seat is local are evened out
  (`visible_statuses`). After the vote everything may be shown. The rule itself, and the words,
  live in disclosure.py, which saved battles (`show`, History, vote refusals) use too.
- **Turns.** `start_turn(prompt)` runs the next turn; each slot is sent its *own* history (its own
  earlier answers) with the same system prompt and parameters. A turn where a seat failed is not
  part of the history: the next `start_turn` retries it. One turn at a time.
- **Reveal.** How fast a turn's text may be shown (`reveal`: paced, together or live; blind
  battles default to paced so speed names no seat): each turn is shown through `pacer()`
  (desktop/core/battle/reveal.py), the same for every turn of a conversation.
- **Saving and voting.** `finish_turn` saves the first turn as a new battle and later turns with
  `append_turn` (one transaction each); `vote` casts the vote, which judges the whole conversation
  and ends it: `start_turn` after it raises `ConversationEnded`. `record_battle` is the short
  path for a single finished one-turn battle (tests, tools).

Saving runs wherever the caller runs `finish_turn`/`vote` (the window: its database thread); the
session holds no lock, so a face calls it from one thread at a time.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass

from desktop.core.base.redact import HIDDEN
from desktop.core.battle.engine import Battle
from desktop.core.battle.judge_line import judge_line_after_vote
from desktop.core.battle.reveal import RevealPacer, check_reveal, default_reveal
from desktop.core.contenders.answer import Answer, Status
from desktop.core.contenders.base import Contender
from desktop.core.contenders.disclosure import names_shown, seat_status, shown_answer
from desktop.core.contenders.params import (
    ASSISTANT, USER, GenerationParams, Message, ParamsError, Request, check_params, settle_text,
)
from desktop.core.store.battles import (
    SEATS, SLOTS, BattleRecord, ConversationEnded, answer_finished, append_turn,
    conversation_ended_message, get_battle, make_record, save_battle,
)
from desktop.core.store.db import Store
from desktop.core.store.votes import VoteReceipt, VoteRefused, cast_vote, vote_blocker

_SYSTEM_RANDOM = secrets.SystemRandom()


@dataclass(frozen=True)
class _Unsaved:
    """A round not saved yet, as `names_shown` reads a battle: its mode, and no vote."""

    mode: str
    vote: None = None


def toss_coin(rng: random.Random | None = None) -> str:
    """The fair coin: the slot ("left" or "right") whose contender sits in seat A."""
    return "left" if (rng or _SYSTEM_RANDOM).getrandbits(1) == 0 else "right"


def other_slot(slot: str) -> str:
    return "right" if slot == "left" else "left"


def slot_seats(a_slot: str) -> dict[str, str]:
    """Slot -> seat: {"left": "a", "right": "b"} when the left slot sits in seat A."""
    return {a_slot: "a", other_slot(a_slot): "b"}




def seat_label(seat: str) -> str:
    return seat.upper()


class TurnRefused(Exception):
    """A turn that cannot start now (one is running, or the prompt is empty); says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RoundSession:
    """A conversation between two contenders in seats A and B (see the module docstring)."""

    def __init__(
        self,
        contenders: dict[str, Contender],
        params: GenerationParams,
        *,
        blind: bool,
        category: str = "other",
        store: Store | None = None,
        a_slot: str | None = None,
        rng: random.Random | None = None,
        reveal: str | None = None,
    ) -> None:
        self.contenders = dict(contenders)
        self.params = params
        self.blind = blind
        self.category = category
        self.reveal = check_reveal(reveal) if reveal else default_reveal(blind)
        self.store = store
        self.a_slot = a_slot or (toss_coin(rng) if blind else "left")
        self.record: BattleRecord | None = None
        # What a model judge said about this battle, set only once the vote is recorded
        # (desktop/core/battle/judge_line.py); None before, and when no judge has seen it.
        self.judge_note: str | None = None
        self.turn = 0  # the number of the turn running or last run
        self._history: dict[str, tuple[Message, ...]] = {slot: () for slot in SLOTS}
        self._battle = None  # the engine Battle of the turn under way

    # -- seats ------------------------------------------------------------------------
    @property
    def seats(self) -> dict[str, str]:
        """Seat -> slot, in seat order: {"a": "right", "b": "left"}."""
        return {"a": self.a_slot, "b": other_slot(self.a_slot)}

    def seat_of(self, slot: str) -> str:
        return "a" if slot == self.a_slot else "b"

    @property
    def mode(self) -> str:
        return "blind" if self.blind else "named"

    @property
    def voted(self) -> bool:
        return self.record is not None and self.record.vote is not None

    @property
    def revealed(self) -> bool:
        """Names may be shown: the one rule, `disclosure.names_shown`, asked of the saved
        battle (or, before it is saved, of a round that has no vote yet)."""
        return names_shown(self.record if self.record is not None else _Unsaved(self.mode))

    # -- what may be shown --------------------------------------------------------------
    def public_answer(self, answer: Answer, seat: str | None = None) -> Answer:
        """The answer as a face may show it now; `seat` is named in a blind error."""
        return shown_answer(answer, seat, self.revealed)

    def public_status(self, slot: str, status: Status) -> Status:
        """A slot's status as a line may say it now (the terminal shows each one)."""
        return seat_status(status, self.seat_of(slot), self.revealed)

    def visible_statuses(self, slot: str, status: Status,
                         under_way: set[str]) -> list[tuple[str, Status]]:
        """The (seat, status) lines to show for a slot's status. Blind: only a local model
        loads, so a loading line goes to every seat not yet streaming (neither streams until
        both are ready); only a remote provider retries, so a retry reads as plain waiting; a
        notice (a setting a model cannot take) names no model and shows as it is."""
        seat = self.seat_of(slot)
        if self.revealed:
            return [(seat, status)]
        if status.state == "loading":
            return [(each, status) for each in SEATS if each not in under_way]
        if status.state == "notice":  # a setting left out: the same words for every model
            return [(seat, status)]
        return [(seat, Status("waiting"))]

    def pacer(self) -> RevealPacer:
        """A fresh pacer for the turn about to be shown (see desktop/core/battle/reveal.py)."""
        return RevealPacer(self.reveal)

    # -- turns --------------------------------------------------------------------------
    def start_turn(self, prompt: str):
        """Start the next turn (or retry a failed one) and return the started engine Battle;
        the caller drains its events and then calls `finish_turn`."""
        if self.voted:
            raise ConversationEnded(conversation_ended_message(self.record))
        if self._battle is not None:
            raise TurnRefused("A turn is still under way; wait for both answers or stop it.")
        if not prompt.strip():
            raise TurnRefused("The prompt is empty; type something for the models to answer.")
        try:  # settled before anything is sent, so nothing is paid for a turn that cannot be saved
            settle_text(prompt)
            settle_text(self.params.system, "The system prompt")
            check_params(self.params, local=any(c.provider == "local"
                                                for c in self.contenders.values()))
        except ParamsError as exc:
            raise TurnRefused(exc.message) from None
        requests = {
            slot: Request(prompt=prompt, params=self.params, history=self._history[slot])
            for slot in SLOTS
        }
        self.turn = len(self._history["left"]) // 2 + 1
        self._battle = Battle(self.contenders["left"], self.contenders["right"],
                              requests["left"], requests=requests).start()
        return self._battle

    def finish_turn(self, battle=None) -> BattleRecord | None:
        """Save the finished turn (None when not saving) and, if every seat finished, make it
        part of each slot's history. Raises StoreError when saving fails."""
        battle = battle or self._battle
        self._battle = None
        answers = battle.answers
        prompt = battle.request.prompt
        if all(answer_finished(answers[slot]) for slot in SLOTS):
            for slot in SLOTS:
                self._history[slot] = (*self._history[slot], Message(USER, prompt),
                                       Message(ASSISTANT, answers[slot].text))
        if self.store is None:
            return None
        by_seat = {seat: answers[slot] for seat, slot in self.seats.items()}
        if self.record is None:
            record = make_record(
                prompt, by_seat["a"], by_seat["b"], mode=self.mode,
                a_slot=self.a_slot, category=self.category, params=self.params.to_dict(),
            )
            self.record = save_battle(self.store, record)
        else:
            self.record = append_turn(self.store, self.record.id, prompt, by_seat)
        self.turn = self.record.turns[-1].number
        return self.record

    def vote_blocker(self) -> VoteRefused | None:
        if self.record is None:
            return VoteRefused("not_saved", "There is nothing saved to vote on yet.")
        return vote_blocker(self.record)

    def vote(self, choice: str, decide_s: float | None = None) -> VoteReceipt:
        """Cast the vote on the whole conversation (ends it); raises VoteRefused."""
        if self.store is None or self.record is None:
            raise VoteRefused("not_saved", "This round was not saved, so it cannot be voted on.")
        receipt = cast_vote(self.store, self.record.id, choice, decide_s=decide_s)
        self.record = receipt.battle
        self.judge_note = judge_line_after_vote(self.store, self.record.id)
        return receipt

    def close(self) -> None:
        """End the conversation's hold on its contenders (workers, connections)."""
        for contender in self.contenders.values():
            contender.close()

    # -- resuming a saved conversation ----------------------------------------------------
    @classmethod
    def resume(cls, store: Store, battle_id: str, make_contender) -> "RoundSession":
        """The session of a saved conversation, ready for its next turn; `make_contender(spec,
        kind)` builds each seat's contender again. Raises ConversationEnded when it was voted
        on or does not exist."""
        record = get_battle(store, battle_id)
        if record is None:
            raise ConversationEnded(f"No battle has the id '{battle_id}'.")
        if record.vote is not None:
            raise ConversationEnded(conversation_ended_message(record))
        slots = {record.a_slot: record.a, other_slot(record.a_slot): record.b}
        if any(HIDDEN in a.contender for a in slots.values()):
            # Its address held a password or key, which was never saved: going on without it
            # would send the placeholder to the server.
            raise ConversationEnded(
                f"Battle {record.short_id} cannot be continued: a contender's server address "
                "held a password or key, which is never saved. Start a new battle with the "
                "full address.")
        contenders = {slot: make_contender(a.contender, a.kind) for slot, a in slots.items()}
        session = cls(contenders, GenerationParams.from_dict(record.params),
                      blind=record.mode == "blind", category=record.category, store=store,
                      a_slot=record.a_slot)
        session.record = record
        seats = session.seats
        for turn in record.turns:
            if not turn.finished:
                break  # only the last turn can have failed; the next one retries it
            for seat, slot in seats.items():
                session._history[slot] = (*session._history[slot], Message(USER, turn.prompt),
                                          Message(ASSISTANT, turn.answers[seat].text))
        session.turn = record.turns[-1].number
        return session



def record_battle(
    store: Store,
    battle: Battle,
    *,
    mode: str = "named",
    a_slot: str = "left",
    category: str = "other",
    battle_id: str | None = None,
) -> BattleRecord:
    """Save a finished one-turn `Battle` (both answers present) in one transaction.

    `category` should already be canonical (see `categories.resolve_category`)."""
    missing = [slot for slot in SLOTS if slot not in battle.answers]
    if missing:
        raise ValueError(f"the battle has not finished: no answer for {', '.join(missing)}")
    answers = battle.answers
    record = make_record(
        battle.request.prompt, answers[a_slot], answers[other_slot(a_slot)], mode=mode,
        a_slot=a_slot, category=category, params=battle.request.params.to_dict(),
        battle_id=battle_id,
    )
    return save_battle(store, record)
