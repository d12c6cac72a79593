"""Team arena targets: `leaderboard --source team` over 1,000,000 votes from 50 voters (≤ 3 s),
and pushing 10,000 queued votes (≤ 10 s), against a throwaway PostgreSQL cluster started here.

References measured in the same run: the same command over an empty own store (the process start
and imports alone), the bare GROUP BY on the server, and a bare COPY of the same number of vote
rows into a scratch table (what the wire and server cost without the upserts).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

from bench.common import ROOT, Figure
from bench.synthetic import fill
from desktop.core.store import open_store
from desktop.core.team.push import push_outbox
from desktop.core.team.settings import join
from tests.team.pg_cluster import Cluster

VOTERS = 50
CONTENDERS = 20

_FILL_SQL = """
SELECT setseed(0.42);
CREATE TEMP TABLE g AS
    SELECT n, 'voter' || (n % {voters}) AS voter, floor(random() * {k})::int AS a,
           floor(random() * ({k} - 1))::int AS d, random() AS r,
           (ARRAY['coding','summarization','reasoning','factual','creative','other'])
               [1 + floor(random() * 6)::int] AS category
    FROM generate_series(1, {n}) n;
INSERT INTO battles (battle_id, voter, created_at, category, mode, a_slot)
    SELECT 'b' || n, voter, '2026-01-01T00:00:00.000Z', category, 'blind', 'left' FROM g;
INSERT INTO votes (battle_id, voter, choice, voted_at, contender_a, contender_b, kind_a, kind_b,
                   category, mode)
    SELECT 'b' || n, voter,
           CASE WHEN r < 0.45 THEN 'a' WHEN r < 0.9 THEN 'b' WHEN r < 0.97 THEN 'tie'
                ELSE 'both_bad' END,
           '2026-01-01T00:00:00.000Z', 'openai:model-' || a,
           'openai:model-' || ((a + 1 + d) % {k}), 'proprietary', 'proprietary', category, 'blind'
    FROM g;
INSERT INTO contenders (contender, model, provider, kind, seen_at)
    SELECT 'openai:model-' || i, 'model-' || i, 'openai', 'proprietary', '2026-01-01'
    FROM generate_series(0, {k} - 1) i;
ANALYZE votes;
"""


def _cli(home: Path, password: str, *argv: str) -> float:
    env = dict(os.environ, SIDEBYSIDE_HOME=str(home), SIDEBYSIDE_TEAM_PASSWORD=password)
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "desktop", *argv], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=600)
    elapsed = time.perf_counter() - t0
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip()[-500:])
    return elapsed


def measure(quick: bool = False) -> list[Figure]:
    n_votes = 50_000 if quick else 1_000_000
    n_push = 1_000 if quick else 10_000
    cluster = Cluster().init()
    try:
        user, password, db = cluster.new_team()
        address = cluster.address(user, db)
        with tempfile.TemporaryDirectory() as tmp:
            reader, pusher = Path(tmp) / "reader", Path(tmp) / "pusher"
            for home in (reader, pusher):
                home.mkdir()
                with open_store(home / "sidebyside.db") as store:
                    join(store, address, password, voter=home.name, remember=False)
            with psycopg.connect(host="127.0.0.1", port=cluster.port, user=user, dbname=db,
                                 password=password, autocommit=True) as conn:
                t0 = time.perf_counter()
                conn.execute(_FILL_SQL.format(n=n_votes, voters=VOTERS, k=CONTENDERS))
                fill_s = time.perf_counter() - t0
                t0 = time.perf_counter()
                conn.execute("SELECT category, contender_a, contender_b, choice, identity_leak, "
                             "count(*) FROM votes GROUP BY 1, 2, 3, 4, 5").fetchall()
                group_s = time.perf_counter() - t0
            runs = [_cli(reader, password, "leaderboard", "--source", "team", "--json")
                    for _ in range(1 if quick else 3)]
            empty = [_cli(reader, password, "leaderboard", "--json")
                     for _ in range(1 if quick else 3)]

            # Push: a data folder that joined, then saved n_push voted battles (all queued).
            store = fill(pusher / "sidebyside.db", n_push)
            os.environ["SIDEBYSIDE_TEAM_PASSWORD"] = password
            try:
                t0 = time.perf_counter()
                result = push_outbox(store)
                push_s = time.perf_counter() - t0
            finally:
                os.environ.pop("SIDEBYSIDE_TEAM_PASSWORD", None)
                store.close()
            if result.error is not None or result.votes != n_push:
                raise RuntimeError(f"push: {result}")
            with psycopg.connect(host="127.0.0.1", port=cluster.port, user=user, dbname=db,
                                 password=password) as conn:
                conn.execute("CREATE TEMP TABLE scratch (LIKE votes INCLUDING DEFAULTS)")
                t0 = time.perf_counter()
                with conn.cursor().copy("COPY scratch (battle_id, voter, choice, voted_at, "
                                        "contender_a, contender_b, kind_a, kind_b, category, "
                                        "mode) FROM STDIN") as copy:
                    for i in range(n_push):
                        copy.write_row((f"x{i}", "v", "a", "2026", "a", "b", "open", "open",
                                        "other", "blind"))
                copy_s = time.perf_counter() - t0
    finally:
        cluster.destroy()
    worst = max(runs)
    return [
        Figure("team_leaderboard", f"`leaderboard --source team --json`, {n_votes:,} votes from "
               f"{VOTERS} voters, {CONTENDERS} contenders, fresh process, worst of {len(runs)}",
               round(worst, 2), "s", "≤ 3 s", worst <= 3.0,
               {"runs_s": [round(r, 3) for r in runs],
                "reference_empty_own_s": [round(r, 3) for r in empty],
                "reference_group_by_s": round(group_s, 3), "fill_s": round(fill_s, 1)}),
        Figure("team_push", f"push of {n_push:,} queued votes (battles, answers, votes) "
               "to the team store", round(push_s, 2), "s", "≤ 10 s", push_s <= 10.0,
               {"reference_bare_copy_of_vote_rows_s": round(copy_s, 3)}),
    ]
