"""Pushing the outbox to the team store: idempotent, in batches, safe to stop at any point.

Each batch of queued battles is read from the local file, copied into session-temporary staging
tables on the server with COPY, and upserted from there in ONE server transaction, keyed by
(battle id, voter): a battle's row and vote are inserted or overwritten, its turns and answers
replaced. Only after the server has committed are those battles taken off the local queue, and
only if their `queued_at` is unchanged (a battle voted on during the push stays queued). So a
push that dies anywhere either left the server as it was or is repeated harmlessly next time:
nothing is duplicated or lost. Nothing connects while the queue is empty.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop.core.store.db import Store
from desktop.core.team.address import TeamError
from desktop.core.team.schema import ensure_schema
from desktop.core.team.server import connect, server_error
from desktop.core.team.settings import TeamSettings, load, record_push

if TYPE_CHECKING:
    import psycopg

BATCH = 2000  # battles per server transaction

BATTLE_COLS = ("battle_id", "voter", "created_at", "prompt", "system_prompt", "params",
               "category", "mode", "a_slot", "identity_leak", "leak_names", "turns")
TURN_COLS = ("battle_id", "voter", "turn", "prompt", "created_at")
ANSWER_COLS = ("battle_id", "voter", "turn", "seat", "contender", "provider", "model", "kind",
               "finish_reason", "error_kind", "error_message", "ttft_s", "total_s",
               "prompt_tokens", "output_tokens", "tokens_per_s", "cost_usd", "thinking_tokens",
               "ttft_thinking_s", "text", "thinking")
VOTE_COLS = ("battle_id", "voter", "choice", "voted_at", "decide_s", "contender_a",
             "contender_b", "kind_a", "kind_b", "category", "identity_leak", "mode", "turns")
_IDS = "(SELECT value FROM json_each(?))"


@dataclass
class PushResult:
    battles: int = 0  # battles pushed now
    votes: int = 0  # of which voted on
    waiting: int = 0  # battles still queued afterwards
    error: TeamError | None = None


def waiting_count(store: Store) -> int:
    with store.read() as db:
        return db.execute("SELECT count(*) FROM team_outbox").fetchone()[0]


def push_outbox(store: Store, settings: TeamSettings | None = None) -> PushResult:
    """Push everything queued; never raises for a server that is down (see `error`)."""
    settings = settings or load(store)
    result = PushResult()
    if settings is None:
        return result
    result.waiting = waiting_count(store)
    if not result.waiting:
        return result
    address = settings.address
    try:
        conn = connect(address)
    except TeamError as exc:
        result.error = exc
        record_push(store, exc.message)
        return result
    try:
        ensure_schema(conn)
        _stage_tables(conn)
        for _ in range(result.waiting // BATCH + 2):  # bounded: a busy voter cannot keep us here
            queued = _next_batch(store)
            if not queued:
                break
            battles, votes = _push_batch(conn, store, settings, queued)
            _dequeue(store, queued)
            result.battles += battles
            result.votes += votes
    except Exception as exc:  # the server went away or refused: keep the queue for next time
        result.error = server_error(address, "take the queued votes", exc)
    finally:
        conn.close()
    result.waiting = waiting_count(store)
    record_push(store, result.error.message if result.error else None)
    return result


def _stage_tables(conn: psycopg.Connection) -> None:
    for table in ("battles", "turns", "answers", "votes"):
        conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS s_{table} (LIKE {table} INCLUDING DEFAULTS) "
                     "ON COMMIT DELETE ROWS")
    conn.commit()


def _next_batch(store: Store) -> list[tuple[str, str]]:
    with store.read() as db:
        return db.execute("SELECT battle_id, queued_at FROM team_outbox ORDER BY queued_at, "
                          "battle_id LIMIT ?", (BATCH,)).fetchall()


def _dequeue(store: Store, queued: list[tuple[str, str]]) -> None:
    with store.transaction("note what the team store has") as db:
        db.executemany("DELETE FROM team_outbox WHERE battle_id = ? AND queued_at = ?", queued)


def _local_rows(store: Store, settings: TeamSettings, ids: list[str]):
    texts = settings.push_texts
    voter = settings.voter
    key = json.dumps(ids)
    with store.read() as db:
        battles = [
            (bid, voter, created, prompt if texts else None, system if texts else None, params,
             category, mode, a_slot, bool(leak), leak_names, turns)
            for bid, created, prompt, system, params, category, mode, a_slot, leak, leak_names, turns
            in db.execute("SELECT id, created_at, prompt, system_prompt, params, category, mode, "
                          "a_slot, identity_leak, leak_names, turns FROM battles "
                          f"WHERE id IN {_IDS}", (key,))
        ]
        turns = [(bid, voter, turn, prompt if texts else None, created)
                 for bid, turn, prompt, created in db.execute(
                     f"SELECT battle_id, turn, prompt, created_at FROM turns WHERE battle_id IN {_IDS}",
                     (key,))]
        answers = []
        kinds: dict[tuple[str, str], tuple[str, str, str]] = {}
        for row in db.execute(
                "SELECT battle_id, turn, seat, contender, provider, model, kind, finish_reason, "
                "error_kind, error_message, ttft_s, total_s, prompt_tokens, output_tokens, "
                "tokens_per_s, cost_usd, thinking_tokens, ttft_thinking_s, text, thinking "
                f"FROM answers WHERE battle_id IN {_IDS}", (key,)):
            bid, turn, seat = row[0], row[1], row[2]
            text, thinking = (row[18], row[19]) if texts else (None, None)
            answers.append((bid, voter, *row[1:18], text, thinking))
            if turn == 1:
                kinds[(bid, seat)] = (row[6], row[5] or "", row[4])  # kind, model, provider
        votes = []
        for bid, choice, voted_at, decide_s, ca, cb, category, leak, turn_count, mode in db.execute(
                "SELECT v.battle_id, v.choice, v.voted_at, v.decide_s, v.contender_a, "
                "v.contender_b, v.category, v.identity_leak, v.turns, b.mode FROM votes v "
                f"JOIN battles b ON b.id = v.battle_id WHERE v.battle_id IN {_IDS}", (key,)):
            kind_a = kinds.get((bid, "a"), ("", "", ""))[0]
            kind_b = kinds.get((bid, "b"), ("", "", ""))[0]
            votes.append((bid, voter, choice, voted_at, decide_s, ca, cb, kind_a, kind_b,
                          category, bool(leak), mode, turn_count))
    # Model, provider and kind of each voted contender, as of its latest vote here.
    contenders: dict[str, tuple] = {}
    for vote in sorted(votes, key=lambda v: v[3]):
        for seat, name in (("a", vote[5]), ("b", vote[6])):
            kind, model, provider = kinds.get((vote[0], seat), ("", "", ""))
            contenders[name] = (name, model, provider, kind, vote[3])
    return battles, turns, answers, votes, [contenders[c] for c in sorted(contenders)]


def _copy(cur: psycopg.Cursor, table: str, cols: tuple[str, ...], rows: list[tuple]) -> None:
    with cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _upsert(table: str, cols: tuple[str, ...], order: str) -> str:
    names = ", ".join(cols)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in cols if c not in ("battle_id", "voter"))
    return (f"INSERT INTO {table} ({names}) SELECT {names} FROM s_{table} ORDER BY {order} "
            f"ON CONFLICT (battle_id, voter) DO UPDATE SET {updates}, pushed_at = now()")


def _push_batch(conn: psycopg.Connection, store: Store, settings: TeamSettings,
                queued: list[tuple[str, str]]) -> tuple[int, int]:
    battles, turns, answers, votes, contenders = _local_rows(store, settings,
                                                              [bid for bid, _ in queued])
    with conn.transaction(), conn.cursor() as cur:
        _copy(cur, "s_battles", BATTLE_COLS, battles)
        _copy(cur, "s_turns", TURN_COLS, turns)
        _copy(cur, "s_answers", ANSWER_COLS, answers)
        _copy(cur, "s_votes", VOTE_COLS, votes)
        # The battle rows first: their row locks make two pushes of one battle take turns.
        cur.execute(_upsert("battles", BATTLE_COLS, "battle_id, voter"))
        for table in ("turns", "answers"):
            cur.execute(f"DELETE FROM {table} t USING s_battles s "
                        "WHERE t.battle_id = s.battle_id AND t.voter = s.voter")
            cols = ", ".join(TURN_COLS if table == "turns" else ANSWER_COLS)
            cur.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM s_{table}")
        cur.execute(_upsert("votes", VOTE_COLS, "battle_id, voter"))
        # Sorted by name, so concurrent pushes lock these shared rows in one order (no deadlock).
        cur.executemany(
            "INSERT INTO contenders (contender, model, provider, kind, seen_at) "
            "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (contender) DO UPDATE SET "
            "model = EXCLUDED.model, provider = EXCLUDED.provider, kind = EXCLUDED.kind, "
            "seen_at = EXCLUDED.seen_at WHERE contenders.seen_at <= EXCLUDED.seen_at",
            contenders,
        )
    return len(battles), len(votes)
