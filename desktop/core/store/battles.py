"""Battles as stored: conversations of one or more turns, each turn a prompt and one answer per
seat.

A seat is where an answer is shown, named by its label: `a` is shown first (the left pane, "A"),
`b` second (right, "B"). A contender keeps its seat for the whole conversation. `a_slot` says
which contender slot (the CLI's `--left`/`--right`, the window's left/right picker) sat in seat A,
so a blind battle can be revealed and audited. Each user action is one transaction: saving a
turn writes its prompt and every seat's answer together, or nothing. `battles.prompt` is the
opening prompt; `record.a`/`record.b` are the opening turn's answers (the contender behind a seat
never changes, so they also name the seat's contender).

A turn where a seat failed (error or stopped) can only be the last one: the next turn sent
replaces it (a retry), so the turns before it stay the conversation a vote judges.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field

from desktop.core.contenders.answer import FINISH_LENGTH, FINISH_STOP, Answer
from desktop.core.contenders.choices import CHOICE_WORDS
from desktop.core.base.errors import ErrorInfo
from desktop.core.contenders.identity import find_identity_leaks
from desktop.core.store.db import Store, utc_now
from desktop.core.store.outbox import queue_for_team

SEATS = ("a", "b")  # seat labels in the order shown; a third seat is a third label
MODES = ("blind", "named")
SLOTS = ("left", "right")

_ANSWER_COLUMNS = (
    "contender", "provider", "model", "kind", "text", "finish_reason", "error_kind",
    "error_message", "ttft_s", "total_s", "prompt_tokens", "output_tokens", "tokens_per_s",
    "cost_usd", "thinking", "thinking_tokens", "ttft_thinking_s", "threads",
)


@dataclass
class Vote:
    battle_id: str
    choice: str  # "a", "b", "tie" or "both_bad"
    voted_at: str  # UTC ISO 8601
    decide_s: float | None = None  # seconds from the answers being ready to the vote


@dataclass
class Turn:
    """One prompt of a conversation and every seat's answer to it."""

    number: int  # 1, 2, ...
    prompt: str
    created_at: str
    answers: dict[str, Answer]  # seat label -> answer

    @property
    def finished(self) -> bool:
        return all(answer_finished(a) for a in self.answers.values())


@dataclass
class BattleRecord:
    """One battle, as saved and as read back."""

    id: str
    created_at: str  # UTC ISO 8601, when the answers were finished and saved
    prompt: str
    system_prompt: str
    params: dict
    category: str
    mode: str  # "blind" or "named"
    a_slot: str  # "left" or "right": which contender slot was shown as A
    a: Answer
    b: Answer
    identity_leak: bool = False
    leak_names: list[str] = field(default_factory=list)
    vote: Vote | None = None
    turns: list[Turn] = field(default_factory=list)

    @property
    def turn_count(self) -> int:
        return len(self.turns) or 1

    @property
    def judged_turns(self) -> int:
        """The finished turns, which a vote judges (a failed last turn is left out)."""
        return sum(1 for t in self.turns if t.finished) if self.turns else 1

    def answer(self, seat: str) -> Answer:
        return self.a if seat == "a" else self.b

    def slot_of(self, seat: str) -> str:
        """The slot ("left"/"right") whose contender sat in `seat`."""
        if seat == "a":
            return self.a_slot
        return "right" if self.a_slot == "left" else "left"

    @property
    def short_id(self) -> str:
        return self.id[:8]


def new_battle_id() -> str:
    return str(uuid.uuid4())


def answer_finished(answer: Answer) -> bool:
    return answer.error is None and answer.finish_reason in (FINISH_STOP, FINISH_LENGTH)


def make_record(
    prompt: str,
    a: Answer,
    b: Answer,
    *,
    mode: str = "named",
    a_slot: str = "left",
    category: str = "other",
    params: dict | None = None,
    system_prompt: str | None = None,
    battle_id: str | None = None,
    created_at: str | None = None,
) -> BattleRecord:
    """Build a record, flagging identity leaks in either answer or its thinking (the thinking
    is shown before the vote too)."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    if a_slot not in SLOTS:
        raise ValueError(f"a_slot must be one of {SLOTS}, not {a_slot!r}")
    params = dict(params or {})
    if system_prompt is None:
        system_prompt = str(params.get("system") or "")
    leaks = find_identity_leaks(a.text, b.text, a.thinking or "", b.thinking or "")
    created_at = created_at or utc_now()
    return BattleRecord(
        id=battle_id or new_battle_id(),
        created_at=created_at,
        prompt=prompt,
        system_prompt=system_prompt,
        params=params,
        category=category,
        mode=mode,
        a_slot=a_slot,
        a=a,
        b=b,
        identity_leak=bool(leaks),
        leak_names=leaks,
        turns=[Turn(1, prompt, created_at, {"a": a, "b": b})],
    )


def save_battle(store: Store, record: BattleRecord) -> BattleRecord:
    """Save a battle and both answers in one transaction."""
    with store.transaction("save the battle") as db:
        insert_battle(db, record)
    return record


def insert_battle(db, record: BattleRecord) -> None:
    db.execute(
        "INSERT INTO battles (id, created_at, prompt, system_prompt, params, category, mode, "
        "a_slot, identity_leak, leak_names, turns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            record.id, record.created_at, record.prompt, record.system_prompt,
            json.dumps(record.params, sort_keys=True), record.category, record.mode,
            record.a_slot, int(record.identity_leak), json.dumps(record.leak_names),
            record.turn_count,
        ),
    )
    turns = record.turns or [Turn(1, record.prompt, record.created_at,
                                  {"a": record.a, "b": record.b})]
    for turn in turns:
        insert_turn(db, record.id, turn)
    queue_for_team(db, record.id)


def insert_turn(db, battle_id: str, turn: Turn) -> None:
    db.execute("INSERT INTO turns (battle_id, turn, prompt, created_at) VALUES (?, ?, ?, ?)",
               (battle_id, turn.number, turn.prompt, turn.created_at))
    for seat, answer in turn.answers.items():
        db.execute(
            f"INSERT INTO answers (battle_id, turn, seat, {', '.join(_ANSWER_COLUMNS)}) "
            f"VALUES (?, ?, ?, {', '.join('?' * len(_ANSWER_COLUMNS))})",
            (battle_id, turn.number, seat, *_answer_row(answer)),
        )


class ConversationEnded(Exception):
    """A follow-up to a conversation that was voted on (or does not exist); says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def append_turn(store: Store, battle_id: str, prompt: str, answers: dict[str, Answer],
                *, created_at: str | None = None) -> BattleRecord:
    """Add the next turn to a conversation in one transaction and return the updated record.

    A failed last turn is replaced (a retry). Refused with ConversationEnded once voted: the
    vote judged the conversation as it was. The identity-leak flag is recomputed over every
    turn, so a model that names itself in turn 3 flags the whole conversation."""
    with store.transaction("save the turn") as db:
        record = _load(db, battle_id)
        if record is None:
            raise ConversationEnded(f"No battle has the id '{battle_id}'.")
        if record.vote is not None:
            raise ConversationEnded(conversation_ended_message(record))
        last = record.turns[-1]
        if last.finished:
            number = last.number + 1
        else:
            number = last.number
            db.execute("DELETE FROM turns WHERE battle_id = ? AND turn = ?", (battle_id, number))
            record.turns.pop()
        turn = Turn(number, prompt, created_at or utc_now(), dict(answers))
        insert_turn(db, battle_id, turn)
        record.turns.append(turn)
        leaks = find_identity_leaks(*(part for t in record.turns for a in t.answers.values()
                                      for part in (a.text, a.thinking or "")))
        record.identity_leak, record.leak_names = bool(leaks), leaks
        db.execute("UPDATE battles SET turns = ?, identity_leak = ?, leak_names = ? WHERE id = ?",
                   (len(record.turns), int(bool(leaks)), json.dumps(leaks), battle_id))
        if number == 1:  # the opening turn was retried
            record.a, record.b = answers["a"], answers["b"]
            db.execute("UPDATE battles SET prompt = ? WHERE id = ?", (prompt, battle_id))
            record.prompt = prompt
        queue_for_team(db, battle_id)
    return record


def conversation_ended_message(record: BattleRecord) -> str:
    vote = record.vote
    when = vote.voted_at.replace("T", " ")[:16] if vote else ""
    choice = CHOICE_WORDS.get(vote.choice, vote.choice) if vote else ""
    return (f"Battle {record.short_id} has ended: it was voted on ({choice}, cast {when} UTC), "
            "and a vote judges the whole conversation. Start a new battle with `sidebyside "
            "ask PROMPT`.")


def _answer_row(answer: Answer) -> tuple:
    return (
        answer.contender, answer.provider, answer.model or "", answer.kind, answer.text or "",
        answer.finish_reason, answer.error.kind if answer.error else None,
        answer.error.message if answer.error else None, answer.ttft_s, answer.total_s,
        answer.prompt_tokens, answer.output_tokens, answer.tokens_per_s, answer.cost_usd,
        answer.thinking, answer.thinking_tokens, answer.ttft_thinking_s, answer.threads,
    )


def _answer_from_row(row: tuple) -> Answer:
    values = dict(zip(_ANSWER_COLUMNS, row))
    kind, message = values.pop("error_kind"), values.pop("error_message")
    error = ErrorInfo(kind or "internal", message or "") if (kind or message) else None
    return Answer(**values, error=error)


def get_battle(store: Store, battle_id: str) -> BattleRecord | None:
    """The battle with this exact id, with its vote if any."""
    with store.read() as db:
        return _load(db, battle_id)


def _load(db, battle_id: str) -> BattleRecord | None:
    row = db.execute(
        "SELECT id, created_at, prompt, system_prompt, params, category, mode, a_slot, "
        "identity_leak, leak_names FROM battles WHERE id = ?",
        (battle_id,),
    ).fetchone()
    if row is None:
        return None
    turns: dict[int, Turn] = {
        number: Turn(number, prompt, created_at, {})
        for number, prompt, created_at in db.execute(
            "SELECT turn, prompt, created_at FROM turns WHERE battle_id = ? ORDER BY turn",
            (battle_id,),
        )
    }
    for r in db.execute(
        f"SELECT turn, seat, {', '.join(_ANSWER_COLUMNS)} FROM answers WHERE battle_id = ? "
        "ORDER BY turn, seat",
        (battle_id,),
    ):
        turns[r[0]].answers[r[1]] = _answer_from_row(r[2:])
    vote_row = db.execute(
        "SELECT choice, voted_at, decide_s FROM votes WHERE battle_id = ?", (battle_id,)
    ).fetchone()
    ordered = [turns[n] for n in sorted(turns)]
    opening = ordered[0].answers
    return BattleRecord(
        id=row[0], created_at=row[1], prompt=row[2], system_prompt=row[3],
        params=json.loads(row[4] or "{}"), category=row[5], mode=row[6], a_slot=row[7],
        a=opening["a"], b=opening["b"], identity_leak=bool(row[8]),
        leak_names=json.loads(row[9] or "[]"),
        vote=Vote(battle_id, *vote_row) if vote_row else None,
        turns=ordered,
    )
