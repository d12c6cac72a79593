"""Battles as stored: the prompt, both answers, and where each was shown.

A battle's two answers are stored by *position*: `a` is the answer shown first (the left pane,
"A"), `b` the one shown second (right, "B"). `a_slot` says which contender slot (the CLI's
`--left`/`--right`, the window's left/right picker) answered as A, so a blind battle can be
revealed and audited. Each user action is one transaction: saving a battle writes the battle and
both answers together, or nothing.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field

from desktop.core.answer import FINISH_LENGTH, FINISH_STOP, Answer
from desktop.core.errors import ErrorInfo
from desktop.core.identity import find_identity_leaks
from desktop.core.store.db import Store, utc_now

POSITIONS = ("a", "b")
MODES = ("blind", "named")
SLOTS = ("left", "right")

_ANSWER_COLUMNS = (
    "contender", "provider", "model", "kind", "text", "finish_reason", "error_kind",
    "error_message", "ttft_s", "total_s", "prompt_tokens", "output_tokens", "tokens_per_s",
    "cost_usd", "thinking", "thinking_tokens", "ttft_thinking_s",
)


@dataclass
class Vote:
    battle_id: str
    choice: str  # "a", "b", "tie" or "both_bad"
    voted_at: str  # UTC ISO 8601
    decide_s: float | None = None  # seconds from the answers being ready to the vote


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

    def answer(self, position: str) -> Answer:
        return self.a if position == "a" else self.b

    def slot_of(self, position: str) -> str:
        if position == "a":
            return self.a_slot
        return "right" if self.a_slot == "left" else "left"

    @property
    def short_id(self) -> str:
        return self.id[:8]


@dataclass
class BattleSummary:
    """A row of the History list: enough to show and filter, without the full texts."""

    id: str
    created_at: str
    prompt: str  # the first 300 characters
    category: str
    mode: str
    contender_a: str
    contender_b: str
    model_a: str
    model_b: str
    failed: bool  # a side errored or was cancelled, so it cannot be voted on
    identity_leak: bool
    choice: str | None  # the vote, or None


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
    return BattleRecord(
        id=battle_id or new_battle_id(),
        created_at=created_at or utc_now(),
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
    )


def save_battle(store: Store, record: BattleRecord) -> BattleRecord:
    """Save a battle and both answers in one transaction."""
    with store.transaction("save the battle") as db:
        insert_battle(db, record)
    return record


def insert_battle(db, record: BattleRecord) -> None:
    db.execute(
        "INSERT INTO battles (id, created_at, prompt, system_prompt, params, category, mode, "
        "a_slot, identity_leak, leak_names) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            record.id, record.created_at, record.prompt, record.system_prompt,
            json.dumps(record.params, sort_keys=True), record.category, record.mode,
            record.a_slot, int(record.identity_leak), json.dumps(record.leak_names),
        ),
    )
    for position in POSITIONS:
        db.execute(
            f"INSERT INTO answers (battle_id, position, {', '.join(_ANSWER_COLUMNS)}) "
            f"VALUES (?, ?, {', '.join('?' * len(_ANSWER_COLUMNS))})",
            (record.id, position, *_answer_row(record.answer(position))),
        )


def _answer_row(answer: Answer) -> tuple:
    return (
        answer.contender, answer.provider, answer.model or "", answer.kind, answer.text or "",
        answer.finish_reason, answer.error.kind if answer.error else None,
        answer.error.message if answer.error else None, answer.ttft_s, answer.total_s,
        answer.prompt_tokens, answer.output_tokens, answer.tokens_per_s, answer.cost_usd,
        answer.thinking, answer.thinking_tokens, answer.ttft_thinking_s,
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
    answers = {
        r[0]: _answer_from_row(r[1:])
        for r in db.execute(
            f"SELECT position, {', '.join(_ANSWER_COLUMNS)} FROM answers WHERE battle_id = ?",
            (battle_id,),
        )
    }
    vote_row = db.execute(
        "SELECT choice, voted_at, decide_s FROM votes WHERE battle_id = ?", (battle_id,)
    ).fetchone()
    return BattleRecord(
        id=row[0], created_at=row[1], prompt=row[2], system_prompt=row[3],
        params=json.loads(row[4] or "{}"), category=row[5], mode=row[6], a_slot=row[7],
        a=answers["a"], b=answers["b"], identity_leak=bool(row[8]),
        leak_names=json.loads(row[9] or "[]"),
        vote=Vote(battle_id, *vote_row) if vote_row else None,
    )


class BattleNotFound(LookupError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def resolve_battle_id(store: Store, text: str) -> str:
    """The full id for an id or a unique prefix of at least 4 characters (as the CLI prints)."""
    text = (text or "").strip().lower()
    with store.read() as db:
        if db.execute("SELECT 1 FROM battles WHERE id = ?", (text,)).fetchone():
            return text
        if len(text) >= 4 and all(c in "0123456789abcdef-" for c in text):
            rows = db.execute(
                "SELECT id FROM battles WHERE id >= ? AND id < ? LIMIT 2", (text, text + "\uffff")
            ).fetchall()
            if len(rows) == 1:
                return rows[0][0]
            if len(rows) > 1:
                raise BattleNotFound(
                    f"More than one battle starts with '{text}'; give more of the id."
                )
    raise BattleNotFound(
        f"No battle has the id '{text}'. `sidebyside ask` prints the id of each battle it saves."
    )


def _filters(query: str | None, category: str | None, voted: bool | None) -> tuple[str, list]:
    where, args = [], []
    if category:
        where.append("b.category = ? COLLATE NOCASE")
        args.append(category)
    if voted is True:
        where.append("v.battle_id IS NOT NULL")
    elif voted is False:
        where.append("v.battle_id IS NULL")
    if query:
        like = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append(
            "(b.prompt LIKE ? ESCAPE '\\' OR b.id LIKE ? ESCAPE '\\' OR EXISTS ("
            "SELECT 1 FROM answers s WHERE s.battle_id = b.id AND "
            "(s.text LIKE ? ESCAPE '\\' OR s.contender LIKE ? ESCAPE '\\' OR s.model LIKE ? ESCAPE '\\')))"
        )
        args += [like] * 5
    return (" WHERE " + " AND ".join(where)) if where else "", args


_SUMMARY_FROM = (
    " FROM battles b"
    " JOIN answers x ON x.battle_id = b.id AND x.position = 'a'"
    " JOIN answers y ON y.battle_id = b.id AND y.position = 'b'"
    " LEFT JOIN votes v ON v.battle_id = b.id"
)


def list_battles(
    store: Store,
    *,
    query: str | None = None,
    category: str | None = None,
    voted: bool | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[BattleSummary]:
    """Battles newest first; `query` searches prompts, answers, contenders and ids."""
    where, args = _filters(query, category, voted)
    sql = (
        "SELECT b.id, b.created_at, substr(b.prompt, 1, 300), b.category, b.mode, x.contender, "
        "y.contender, x.model, y.model, "
        "(x.error_kind IS NOT NULL OR x.finish_reason NOT IN ('stop', 'length') "
        " OR x.finish_reason IS NULL OR y.error_kind IS NOT NULL "
        " OR y.finish_reason NOT IN ('stop', 'length') OR y.finish_reason IS NULL), "
        "b.identity_leak, v.choice" + _SUMMARY_FROM + where
        + " ORDER BY b.created_at DESC, b.rowid DESC LIMIT ? OFFSET ?"
    )
    with store.read() as db:
        rows = db.execute(sql, (*args, int(limit), int(offset))).fetchall()
    return [
        BattleSummary(*r[:9], failed=bool(r[9]), identity_leak=bool(r[10]), choice=r[11])
        for r in rows
    ]


def count_battles(
    store: Store, *, query: str | None = None, category: str | None = None,
    voted: bool | None = None,
) -> int:
    where, args = _filters(query, category, voted)
    with store.read() as db:
        return db.execute("SELECT count(*)" + _SUMMARY_FROM + where, args).fetchone()[0]


def delete_battle(store: Store, battle_id: str) -> bool:
    """Delete a battle with its answers and vote. True if there was one."""
    with store.transaction("delete the battle") as db:
        return db.execute("DELETE FROM battles WHERE id = ?", (battle_id,)).rowcount > 0
