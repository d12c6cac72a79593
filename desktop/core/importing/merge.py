"""Pool votes: bring the battles and votes of another Side by Side database into this one.

The other file is never written: it is copied with SQLite's backup API from a read-only
connection (which also picks up anything still in its WAL), the copy is migrated to the current
schema, attached, and everything new is inserted in ONE transaction. Battles are matched by their
UUID and votes by their battle, so merging the same file twice adds nothing the second time; a
battle both files voted on keeps this database's vote (counted as a conflict in the summary).
"""

from __future__ import annotations

import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from desktop.core.store.db import CORRUPT, NOT_SIDEBYSIDE, Store, StoreError, open_store


class MergeError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class MergeSummary:
    battles_added: int
    votes_added: int
    battles_already_here: int
    votes_already_here: int
    vote_conflicts: int  # both files voted on the battle, differently; this one's vote is kept
    categories_added: int


def merge_database(store: Store, other: str | Path) -> MergeSummary:
    other = Path(other).expanduser()
    if not other.is_file():
        raise MergeError(f"There is no file '{other}'.")
    try:
        if other.resolve() == Path(store.path).resolve():
            raise MergeError("That is this Side by Side's own database; there is nothing to merge.")
    except OSError:
        pass
    with tempfile.TemporaryDirectory(prefix="sidebyside-merge-") as tmp:
        copy = Path(tmp) / "other.db"
        _copy_read_only(other, copy)
        try:
            open_store(copy, recover=False).close()  # brings an older schema up to date
        except StoreError as exc:
            raise MergeError(_about_other(other, exc)) from None
        with store.attached(copy, "other"):
            with store.transaction("merge the other database") as db:
                return _merge(db)


def _about_other(other: Path, exc: StoreError) -> str:
    """What went wrong with the OTHER file, in words about it: the store's own messages speak
    of the user's database (and of setting a damaged one aside), which is not what happened."""
    if exc.kind == CORRUPT:
        return (f"Could not merge '{other}': that file is damaged, so nothing was merged. Your "
                "own database was not changed.")
    if exc.kind == NOT_SIDEBYSIDE:
        return (f"Could not merge '{other}': it is an SQLite database, but not one made by Side "
                "by Side. Your own database was not changed.")
    return f"Could not merge '{other}': {exc.message}"


def _copy_read_only(src_path: Path, dst_path: Path) -> None:
    uri = f"file:{quote(str(src_path.resolve()))}?mode=ro"
    src = dst = None
    try:
        src = sqlite3.connect(uri, uri=True)
        dst = sqlite3.connect(str(dst_path))
        src.backup(dst)
    except sqlite3.DatabaseError as exc:
        raise MergeError(
            f"'{src_path.name}' could not be read as a Side by Side database ({exc})."
        ) from None
    finally:
        for conn in (src, dst):
            if conn is not None:
                conn.close()


def _columns(db: sqlite3.Connection, table: str) -> str:
    return ", ".join(r[1] for r in db.execute(f"PRAGMA main.table_info({table})"))


def _merge(db: sqlite3.Connection) -> MergeSummary:
    db.execute("DROP TABLE IF EXISTS temp.merge_new")
    db.execute(
        "CREATE TEMP TABLE merge_new AS SELECT o.id FROM other.battles o "
        "WHERE NOT EXISTS (SELECT 1 FROM main.battles m WHERE m.id = o.id)"
    )
    total = db.execute("SELECT count(*) FROM other.battles").fetchone()[0]
    battle_cols, answer_cols = _columns(db, "battles"), _columns(db, "answers")
    added = db.execute(
        f"INSERT INTO main.battles ({battle_cols}) SELECT {battle_cols} FROM other.battles "
        "WHERE id IN (SELECT id FROM temp.merge_new)"
    ).rowcount
    # Whole conversations: every turn's prompt, then every turn's answers.
    turn_cols = _columns(db, "turns")
    db.execute(
        f"INSERT INTO main.turns ({turn_cols}) SELECT {turn_cols} FROM other.turns "
        "WHERE battle_id IN (SELECT id FROM temp.merge_new)"
    )
    db.execute(
        f"INSERT INTO main.answers ({answer_cols}) SELECT {answer_cols} FROM other.answers "
        "WHERE battle_id IN (SELECT id FROM temp.merge_new)"
    )
    conflicts = db.execute(
        "SELECT count(*) FROM other.votes o JOIN main.votes m ON m.battle_id = o.battle_id "
        "WHERE m.choice != o.choice"
    ).fetchone()[0]
    other_votes = db.execute("SELECT count(*) FROM other.votes").fetchone()[0]
    vote_cols = ", ".join(c for c in _columns(db, "votes").split(", ") if c != "id")
    votes_added = db.execute(
        f"INSERT INTO main.votes ({vote_cols}) "
        f"SELECT {', '.join('o.' + c for c in vote_cols.split(', '))} FROM other.votes o "
        "WHERE NOT EXISTS (SELECT 1 FROM main.votes m WHERE m.battle_id = o.battle_id) "
        "AND EXISTS (SELECT 1 FROM main.battles b WHERE b.id = o.battle_id) "
        "ORDER BY o.id"
    ).rowcount
    categories = db.execute(
        "INSERT OR IGNORE INTO main.categories (name, created_at) "
        "SELECT name, created_at FROM other.categories"
    ).rowcount
    db.execute("DROP TABLE temp.merge_new")
    return MergeSummary(
        battles_added=added, votes_added=votes_added, battles_already_here=total - added,
        votes_already_here=other_votes - votes_added, vote_conflicts=conflicts,
        categories_added=max(categories, 0),
    )
