"""Targets 6 and 7: vote commit latency at 100,000 votes; results and export at scale."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from bench.common import Figure, distribution
from bench.synthetic import fill, unvoted_battles
from desktop.core.results.export import export_votes
from desktop.core.stats.results import compute_all
from desktop.core.store import cast_vote


def measure(quick: bool = False) -> list[Figure]:
    n_votes = 5_000 if quick else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        store = fill(Path(tmp) / "bench.db", n_votes)
        fill_s = time.perf_counter() - started

        # 6. vote to durable commit
        ids = unvoted_battles(store, 100 if quick else 500)
        samples = []
        for battle_id in ids:
            t0 = time.perf_counter()
            cast_vote(store, battle_id, "a", decide_s=1.0)
            samples.append((time.perf_counter() - t0) * 1000)
        votes = distribution(samples)

        # 7. leaderboard with 100 bootstrap rounds, and exporting the votes
        compute_s = []
        for _ in range(1 if quick else 3):
            t0 = time.perf_counter()
            results = compute_all(store)
            compute_s.append(time.perf_counter() - t0)
        export_s = []
        for i in range(1 if quick else 3):
            t0 = time.perf_counter()
            export_votes(store, Path(tmp) / f"votes{i}.csv")
            export_s.append(time.perf_counter() - t0)
        store.close()
    compute = distribution(compute_s)
    export = distribution(export_s)
    return [
        Figure("6_vote_commit", f"vote to durable commit, {n_votes:,} votes stored",
               votes["p99"], "ms p99", "< 5 ms", votes["p99"] < 5, votes),
        Figure("7a_results", f"leaderboard, 100 bootstrap rounds, {n_votes:,} votes, 20 contenders",
               compute["max"], "s (max of runs)", "< 2 s", compute["max"] < 2,
               {**compute, "categories": len(results), "fill_s": round(fill_s, 1)}),
        Figure("7b_export", f"export {n_votes:,} votes to CSV", export["max"], "s (max of runs)",
               "< 2 s", export["max"] < 2, export),
    ]
