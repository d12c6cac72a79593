"""Finding battles again: the History list (search, category, voted or not, newest first),
counting, resolving the id prefix the CLI prints, and deleting. Reads only the short columns a
list shows; a whole conversation is `battles.get_battle`."""

from __future__ import annotations

from dataclasses import dataclass

from desktop.core.store.db import Store


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
    turns: int = 1  # turns in the conversation


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
            "SELECT 1 FROM turns t WHERE t.battle_id = b.id AND t.prompt LIKE ? ESCAPE '\\') "
            "OR EXISTS ("
            "SELECT 1 FROM answers s WHERE s.battle_id = b.id AND "
            "(s.text LIKE ? ESCAPE '\\' OR s.contender LIKE ? ESCAPE '\\' OR s.model LIKE ? ESCAPE '\\')))"
        )
        args += [like] * 6
    return (" WHERE " + " AND ".join(where)) if where else "", args


_SUMMARY_FROM = (
    " FROM battles b"
    " JOIN answers x ON x.battle_id = b.id AND x.turn = 1 AND x.seat = 'a'"
    " JOIN answers y ON y.battle_id = b.id AND y.turn = 1 AND y.seat = 'b'"
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
        "b.identity_leak, v.choice, b.turns" + _SUMMARY_FROM + where
        + " ORDER BY b.created_at DESC, b.rowid DESC LIMIT ? OFFSET ?"
    )
    with store.read() as db:
        rows = db.execute(sql, (*args, int(limit), int(offset))).fetchall()
    return [
        BattleSummary(*r[:9], failed=bool(r[9]), identity_leak=bool(r[10]), choice=r[11],
                      turns=r[12])
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
