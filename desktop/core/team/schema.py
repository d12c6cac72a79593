"""The team store's schema on PostgreSQL: its own ordered list of named migrations.

Rules, as for the local file (desktop/core/store/migrations.py): a released migration is never
edited; `ensure_schema` applies the pending ones in one transaction under an advisory lock, so
two members joining at once cannot both migrate; a store that records a migration this version
does not know was set up by a newer Side by Side and is refused, never guessed at.

Tables (every row keyed by the battle's id and the voter, so pushes are upserts):
- battles, turns, answers: what each member saved; texts (prompt, system prompt, answer text,
  thinking) are NULL when that member keeps texts local;
- votes: one per (battle, voter), with the facts ratings read (contenders, kinds, category, mode,
  identity leak), so the leaderboard is one GROUP BY over this table;
- contenders: model, provider and kind of each contender, written only with a vote (so nothing
  names a contender of a battle nobody has voted on).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop.core.team.address import WRONG_VERSION, TeamError

if TYPE_CHECKING:
    import psycopg

LOCK_KEY = 7_041_977_246  # pg_advisory_xact_lock key: "one migrator at a time"

TEAM_MIGRATIONS: list[tuple[str, str]] = [
    ("t001_votes", """
        CREATE TABLE battles (
            battle_id text NOT NULL,
            voter text NOT NULL,
            created_at text NOT NULL,
            prompt text,
            system_prompt text,
            params text NOT NULL DEFAULT '{}',
            category text NOT NULL,
            mode text NOT NULL,
            a_slot text NOT NULL,
            identity_leak boolean NOT NULL DEFAULT false,
            leak_names text NOT NULL DEFAULT '[]',
            turns integer NOT NULL DEFAULT 1,
            pushed_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (battle_id, voter)
        );
        CREATE TABLE turns (
            battle_id text NOT NULL,
            voter text NOT NULL,
            turn integer NOT NULL,
            prompt text,
            created_at text NOT NULL,
            PRIMARY KEY (battle_id, voter, turn),
            FOREIGN KEY (battle_id, voter) REFERENCES battles ON DELETE CASCADE
        );
        CREATE TABLE answers (
            battle_id text NOT NULL,
            voter text NOT NULL,
            turn integer NOT NULL,
            seat text NOT NULL,
            contender text NOT NULL,
            provider text NOT NULL,
            model text NOT NULL DEFAULT '',
            kind text NOT NULL,
            finish_reason text,
            error_kind text,
            error_message text,
            ttft_s double precision,
            total_s double precision,
            prompt_tokens integer,
            output_tokens integer,
            tokens_per_s double precision,
            cost_usd double precision,
            thinking_tokens integer,
            ttft_thinking_s double precision,
            text text,
            thinking text,
            PRIMARY KEY (battle_id, voter, turn, seat),
            FOREIGN KEY (battle_id, voter) REFERENCES battles ON DELETE CASCADE
        );
        CREATE TABLE votes (
            battle_id text NOT NULL,
            voter text NOT NULL,
            choice text NOT NULL CHECK (choice IN ('a', 'b', 'tie', 'both_bad')),
            voted_at text NOT NULL,
            decide_s double precision,
            contender_a text NOT NULL,
            contender_b text NOT NULL,
            kind_a text NOT NULL,
            kind_b text NOT NULL,
            category text NOT NULL,
            identity_leak boolean NOT NULL DEFAULT false,
            mode text NOT NULL,
            turns integer NOT NULL DEFAULT 1,
            pushed_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (battle_id, voter),
            FOREIGN KEY (battle_id, voter) REFERENCES battles ON DELETE CASCADE
        );
        CREATE INDEX votes_voter ON votes (voter);
        CREATE TABLE contenders (
            contender text PRIMARY KEY,
            model text NOT NULL DEFAULT '',
            provider text NOT NULL DEFAULT '',
            kind text NOT NULL DEFAULT '',
            seen_at text NOT NULL
        );
    """),
]


def applied(conn: psycopg.Connection) -> list[str]:
    exists = conn.execute("SELECT to_regclass('team_migrations') IS NOT NULL").fetchone()[0]
    if not exists:
        return []
    return [r[0] for r in conn.execute("SELECT name FROM team_migrations ORDER BY applied_at, name")]


def ensure_schema(conn: psycopg.Connection) -> list[str]:
    """Create or upgrade the team schema; returns the migrations applied now. TeamError
    (WRONG_VERSION) when the store was set up by a newer Side by Side."""
    known = [name for name, _ in TEAM_MIGRATIONS]
    done = applied(conn)
    conn.commit()
    _refuse_unknown(done, known)
    if done == known:
        return []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
        conn.execute("CREATE TABLE IF NOT EXISTS team_migrations "
                     "(name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT clock_timestamp())")
        done = applied(conn)  # again, under the lock: another member may have migrated
        _refuse_unknown(done, known)
        now = []
        for name, sql in TEAM_MIGRATIONS:
            if name not in done:
                conn.execute(sql)
                conn.execute("INSERT INTO team_migrations (name) VALUES (%s)", (name,))
                now.append(name)
    return now


def _refuse_unknown(done: list[str], known: list[str]) -> None:
    unknown = [name for name in done if name not in known]
    if unknown:
        raise TeamError(
            WRONG_VERSION,
            "The team store was set up by a newer version of Side by Side (it has changes this "
            f"version does not know: {', '.join(unknown)}). Update Side by Side to use it.",
        )
