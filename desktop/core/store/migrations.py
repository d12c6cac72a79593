"""Schema changes: an ordered list of small named migrations, each recorded as applied.

Rules that keep old files opening:
- A migration, once released, is never edited; a change is a new migration at the end.
- `migrate()` (desktop/core/store/migrate.py) runs every pending migration inside ONE
  `BEGIN IMMEDIATE` transaction together with its rows in the `migrations` table, so a file is
  always at a named, complete step: a crash or a failure half-way leaves it exactly as it was.
  The write lock also means two instances starting at once cannot both migrate.
- A file that records a migration this code does not know was written by a newer Side by Side; it
  is refused with a clear message rather than guessed at.

The resulting schema is documented in docs/schema.md.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable

from desktop.core.contenders.identity import find_identity_leaks

Migration = Callable[[sqlite3.Connection], None]
MIGRATIONS: list[tuple[str, Migration]] = []


def migration(fn: Migration) -> Migration:
    MIGRATIONS.append((fn.__name__, fn))
    return fn


@migration
def m001_battles(db: sqlite3.Connection) -> None:
    db.execute(
        """
        CREATE TABLE battles (
            id TEXT PRIMARY KEY,
            created_at TEXT NOT NULL,
            prompt TEXT NOT NULL,
            system_prompt TEXT NOT NULL DEFAULT '',
            params TEXT NOT NULL DEFAULT '{}',
            category TEXT NOT NULL DEFAULT 'other',
            mode TEXT NOT NULL CHECK (mode IN ('blind', 'named')),
            a_slot TEXT NOT NULL CHECK (a_slot IN ('left', 'right'))
        )
        """
    )
    db.execute(
        """
        CREATE TABLE answers (
            battle_id TEXT NOT NULL REFERENCES battles(id) ON DELETE CASCADE,
            position TEXT NOT NULL CHECK (position IN ('a', 'b')),
            contender TEXT NOT NULL,
            provider TEXT NOT NULL,
            model TEXT NOT NULL DEFAULT '',
            kind TEXT NOT NULL CHECK (kind IN ('open', 'proprietary')),
            finish_reason TEXT,
            error_kind TEXT,
            error_message TEXT,
            ttft_s REAL,
            total_s REAL,
            prompt_tokens INTEGER,
            output_tokens INTEGER,
            tokens_per_s REAL,
            cost_usd REAL,
            text TEXT NOT NULL DEFAULT '',  -- last: scans of the short columns skip long texts
            PRIMARY KEY (battle_id, position)
        ) WITHOUT ROWID
        """
    )
    db.execute("CREATE INDEX battles_created_at ON battles (created_at)")


@migration
def m002_votes(db: sqlite3.Connection) -> None:
    # UNIQUE(battle_id): at most one vote per battle, whatever the code above does.
    # contender_a/contender_b/category copy facts of the battle (which never changes once saved)
    # so that ratings read this one compact table instead of joining 300,000 rows.
    db.execute(
        """
        CREATE TABLE votes (
            id INTEGER PRIMARY KEY,
            battle_id TEXT NOT NULL UNIQUE REFERENCES battles(id) ON DELETE CASCADE,
            choice TEXT NOT NULL CHECK (choice IN ('a', 'b', 'tie', 'both_bad')),
            voted_at TEXT NOT NULL,
            decide_s REAL,
            contender_a TEXT NOT NULL,
            contender_b TEXT NOT NULL,
            category TEXT NOT NULL
        )
        """
    )


@migration
def m003_identity_leak(db: sqlite3.Connection) -> None:
    db.execute("ALTER TABLE battles ADD COLUMN identity_leak INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE battles ADD COLUMN leak_names TEXT NOT NULL DEFAULT '[]'")
    db.execute("ALTER TABLE votes ADD COLUMN identity_leak INTEGER NOT NULL DEFAULT 0")
    # Flag battles recorded before the check existed, and their votes.
    rows = db.execute(
        "SELECT battle_id, group_concat(text, char(10)) FROM answers GROUP BY battle_id"
    ).fetchall()
    for battle_id, text in rows:
        names = find_identity_leaks(text or "")
        if names:
            db.execute(
                "UPDATE battles SET identity_leak = 1, leak_names = ? WHERE id = ?",
                (json.dumps(names), battle_id),
            )
            db.execute("UPDATE votes SET identity_leak = 1 WHERE battle_id = ?", (battle_id,))


@migration
def m004_categories(db: sqlite3.Connection) -> None:
    db.execute(
        """
        CREATE TABLE categories (
            name TEXT PRIMARY KEY COLLATE NOCASE,
            created_at TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX battles_category ON battles (category COLLATE NOCASE)")


@migration
def m005_conversations(db: sqlite3.Connection) -> None:
    # A battle becomes a conversation: `turns` holds each turn's prompt, and `answers` one answer
    # per turn per seat (the seat's label, 'a', 'b', ...: no CHECK pins the count at two, so
    # more seats need no new table). Every battle saved before this becomes a one-turn
    # conversation; its prompt and both answers are kept as turn 1.
    db.execute(
        """
        CREATE TABLE turns (
            battle_id TEXT NOT NULL REFERENCES battles(id) ON DELETE CASCADE,
            turn INTEGER NOT NULL CHECK (turn >= 1),
            prompt TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (battle_id, turn)
        ) WITHOUT ROWID
        """
    )
    db.execute("INSERT INTO turns (battle_id, turn, prompt, created_at) "
               "SELECT id, 1, prompt, created_at FROM battles")
    db.execute(
        """
        CREATE TABLE answers_by_turn (
            battle_id TEXT NOT NULL,
            turn INTEGER NOT NULL,
            seat TEXT NOT NULL,
            contender TEXT NOT NULL,
            provider TEXT NOT NULL,
            model TEXT NOT NULL DEFAULT '',
            kind TEXT NOT NULL CHECK (kind IN ('open', 'proprietary')),
            finish_reason TEXT,
            error_kind TEXT,
            error_message TEXT,
            ttft_s REAL,
            total_s REAL,
            prompt_tokens INTEGER,
            output_tokens INTEGER,
            tokens_per_s REAL,
            cost_usd REAL,
            text TEXT NOT NULL DEFAULT '',  -- last: scans of the short columns skip long texts
            PRIMARY KEY (battle_id, turn, seat),
            FOREIGN KEY (battle_id, turn) REFERENCES turns(battle_id, turn) ON DELETE CASCADE
        ) WITHOUT ROWID
        """
    )
    columns = ("contender, provider, model, kind, finish_reason, error_kind, error_message, "
               "ttft_s, total_s, prompt_tokens, output_tokens, tokens_per_s, cost_usd, text")
    db.execute(f"INSERT INTO answers_by_turn (battle_id, turn, seat, {columns}) "
               f"SELECT battle_id, 1, position, {columns} FROM answers")
    db.execute("DROP TABLE answers")
    db.execute("ALTER TABLE answers_by_turn RENAME TO answers")
    # How many turns the conversation has; the vote copies it (a vote ends the conversation).
    db.execute("ALTER TABLE battles ADD COLUMN turns INTEGER NOT NULL DEFAULT 1")
    db.execute("ALTER TABLE votes ADD COLUMN turns INTEGER NOT NULL DEFAULT 1")


@migration
def m006_thinking(db: sqlite3.Connection) -> None:
    # A reasoning model's thinking, kept apart from its answer (`text`); NULL when it showed
    # none. Its tokens are not among output_tokens. Older battles simply have none.
    db.execute("ALTER TABLE answers ADD COLUMN thinking TEXT")
    db.execute("ALTER TABLE answers ADD COLUMN thinking_tokens INTEGER")
    db.execute("ALTER TABLE answers ADD COLUMN ttft_thinking_s REAL")


@migration
def m007_vote_sources(db: sqlite3.Connection) -> None:
    # Votes imported from elsewhere (Chatbot Arena, Open WebUI) live apart from the user's own:
    # no battles, no answers, no sides. One compact row per vote (models as integers, the
    # outcome as a code 0-3, the source's id for the vote hashed to 64 bits) keeps millions of
    # them small; `imported_counts` holds how often each outcome happened per pair, which is all
    # ratings need, so a leaderboard never reads the vote rows.
    db.execute(
        """
        CREATE TABLE sources (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            format TEXT NOT NULL,
            file TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )
        """
    )
    db.execute(
        "CREATE TABLE models (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)"
    )
    db.execute(
        """
        CREATE TABLE imported_votes (
            source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
            vote_key INTEGER NOT NULL,
            model_a INTEGER NOT NULL,
            model_b INTEGER NOT NULL,
            outcome INTEGER NOT NULL,
            category TEXT,
            tstamp REAL,
            PRIMARY KEY (source_id, vote_key)
        ) WITHOUT ROWID
        """
    )
    db.execute(
        """
        CREATE TABLE imported_counts (
            source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
            category TEXT NOT NULL,
            model_a INTEGER NOT NULL,
            model_b INTEGER NOT NULL,
            outcome INTEGER NOT NULL,
            n INTEGER NOT NULL,
            PRIMARY KEY (source_id, category, model_a, model_b, outcome)
        ) WITHOUT ROWID
        """
    )


@migration
def m009_answer_threads(db: sqlite3.Connection) -> None:
    # The llama.cpp thread count a local answer ran with, so a slow answer can say why (the app
    # lowers it when other programs keep the machine busy). NULL for remote sides and older rows.
    db.execute("ALTER TABLE answers ADD COLUMN threads INTEGER")


@migration
def m010_batches(db: sqlite3.Connection) -> None:
    # A batch (`sidebyside batch`, the window's "Run a prompt set in the background"): a prompt
    # set run unattended for one pair. Its id is a hash of what makes it the same run (source,
    # prompts, contenders, mode, category), so the same command continues it. `batch_battles`
    # keys each battle by (batch, prompt index, repeat) and is written in the battle's own
    # transaction: a run killed at any moment leaves no battle without its key and no key
    # without its battle, so a rerun neither repeats nor skips a prompt.
    db.execute(
        """
        CREATE TABLE batches (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            left_spec TEXT NOT NULL,
            right_spec TEXT NOT NULL,
            mode TEXT NOT NULL,
            prompts INTEGER NOT NULL,
            created_at TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE batch_battles (
            batch_id TEXT NOT NULL REFERENCES batches(id) ON DELETE CASCADE,
            prompt_index INTEGER NOT NULL,
            repeat INTEGER NOT NULL,
            battle_id TEXT NOT NULL UNIQUE REFERENCES battles(id) ON DELETE CASCADE,
            PRIMARY KEY (batch_id, prompt_index, repeat)
        ) WITHOUT ROWID
        """
    )


@migration
def m011_judge_verdicts(db: sqlite3.Connection) -> None:
    # A model judge's verdicts live apart from the user's votes: nothing that reads `votes`
    # (leaderboard, verdict, export, report) can count one by mistake. One row per battle per
    # judge spec; `verdict` is the seat both orders agreed on ('a', 'b', 'tie'), or why there is
    # none. Both raw replies are kept so a verdict can be audited or re-parsed.
    db.execute(
        """
        CREATE TABLE judge_verdicts (
            battle_id TEXT NOT NULL REFERENCES battles(id) ON DELETE CASCADE,
            judge TEXT NOT NULL,
            verdict TEXT NOT NULL
                CHECK (verdict IN ('a', 'b', 'tie', 'inconsistent', 'unparsable')),
            reply_ab TEXT NOT NULL,
            reply_ba TEXT NOT NULL,
            pick_ab TEXT,
            pick_ba TEXT,
            cost_usd REAL,
            judge_s REAL,
            judged_at TEXT NOT NULL,
            PRIMARY KEY (battle_id, judge)
        ) WITHOUT ROWID
        """
    )
    db.execute("CREATE INDEX judge_verdicts_judge ON judge_verdicts (judge)")


@migration
def m012_team_outbox(db: sqlite3.Connection) -> None:
    # Team arena (desktop/core/team): `team_settings` holds the one team this data folder has
    # joined (no row: none; never a password), `team_outbox` the battles saved or voted on since,
    # still to be pushed to the team's PostgreSQL store. A battle is queued in the same transaction
    # that saves it or its vote, and leaves the queue only once the server has acknowledged it
    # with the same `queued_at` (a battle re-queued mid-push stays queued).
    db.execute(
        """
        CREATE TABLE team_settings (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            server TEXT NOT NULL,
            voter TEXT NOT NULL,
            push_texts INTEGER NOT NULL DEFAULT 1,
            joined_at TEXT NOT NULL,
            last_push_at TEXT,
            last_error TEXT
        )
        """
    )
    db.execute(
        """
        CREATE TABLE team_outbox (
            battle_id TEXT PRIMARY KEY REFERENCES battles(id) ON DELETE CASCADE,
            queued_at TEXT NOT NULL
        ) WITHOUT ROWID
        """
    )
