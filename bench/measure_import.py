"""Imported votes at Chatbot Arena's scale: import, database growth, leaderboard.

    python -m bench --only import        # within the full harness
    python -m bench.measure_import       # alone; prints the figures as JSON

A synthetic Arena CSV of 1,670,250 battles among 129 models (the size of Arena's public
clean-battle release) is written to a temporary folder at bench time from a fixed seed and
never kept. It has Arena's columns: a 32-hex question_id, model_a, model_b, winner, judge,
turn, anony, language, tstamp. References measured in the same run: reading the same file with
`csv.reader` alone (the floor any CSV import pays) and the fit without its bootstrap.
"""

from __future__ import annotations

import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import desktop  # noqa: F401 - before numpy: it limits numpy's BLAS to one thread, as the app does
from bench.common import ROOT, Figure

ROWS = 1_670_250
MODELS = 129
SEED = 20240615
LANGUAGES = ("English", "Chinese", "Russian", "German", "Spanish", "Japanese", "French")


def write_arena_csv(path: Path, rows: int = ROWS, models: int = MODELS, seed: int = SEED) -> None:
    import numpy as np

    rng = np.random.default_rng(seed)
    truth = rng.normal(1100, 120, models)
    names = [f"model-{i:03d}-{'chat' if i % 3 else 'instruct'}" for i in range(models)]
    popularity = rng.pareto(1.5, models) + 1  # some models meet far more often, as on Arena
    popularity /= popularity.sum()
    chunk = 200_000
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["question_id", "model_a", "model_b", "winner", "judge", "turn", "anony",
                    "language", "tstamp"])
        done = 0
        while done < rows:
            n = min(chunk, rows - done)
            a = rng.choice(models, n, p=popularity)
            b = (a + rng.integers(1, models, n)) % models
            p = 1 / (1 + 10 ** ((truth[b] - truth[a]) / 400))
            u = rng.random(n)
            t = 0.5 * np.minimum(p, 1 - p)  # draws keep A's expected share at p
            outcome = np.where(u < p - t / 2, 0, np.where(u < p + t / 2,
                               np.where(rng.random(n) < 0.65, 2, 3), 1))
            ids = rng.integers(0, 2**63, (n, 2), dtype=np.int64)
            lang = rng.integers(0, len(LANGUAGES), n)
            turn = rng.integers(1, 4, n)
            winners = ("model_a", "model_b", "tie", "tie (bothbad)")
            for r in range(n):
                w.writerow((f"{ids[r, 0]:016x}{ids[r, 1]:016x}", names[a[r]], names[b[r]],
                            winners[outcome[r]], f"arena_user_{(done + r) % 50_000}", turn[r],
                            "True", LANGUAGES[lang[r]], 1682000000 + (done + r) * 7))
            done += n


def _db_bytes(home: Path) -> int:
    return sum(p.stat().st_size for p in home.glob("sidebyside.db*"))


def measure(quick: bool = False) -> list[Figure]:
    rows = 100_000 if quick else ROWS
    with tempfile.TemporaryDirectory(prefix="sidebyside-import-bench-") as tmp:
        tmp_path = Path(tmp)
        csv_path = tmp_path / "arena_battles.csv"
        t0 = time.perf_counter()
        write_arena_csv(csv_path, rows)
        write_s = time.perf_counter() - t0
        csv_mb = csv_path.stat().st_size / 1e6

        t0 = time.perf_counter()
        with open(csv_path, newline="", encoding="utf-8") as f:
            parsed = sum(1 for _ in csv.reader(f)) - 1
        parse_s = time.perf_counter() - t0
        assert parsed == rows

        home = tmp_path / "home"
        env = {**os.environ, "SIDEBYSIDE_HOME": str(home)}
        from desktop.core.store import open_store

        os.environ["SIDEBYSIDE_HOME"] = str(home)
        store = open_store()
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        empty_bytes = _db_bytes(home)

        from desktop.core.importing import import_file

        t0, cpu0 = time.perf_counter(), time.process_time()
        summary = import_file(store, csv_path, "arena")
        import_s, import_cpu_s = time.perf_counter() - t0, time.process_time() - cpu0
        assert summary.added == rows, summary
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        grown = _db_bytes(home) - empty_bytes

        t0 = time.perf_counter()
        again = import_file(store, csv_path, "arena")
        reimport_s = time.perf_counter() - t0
        assert again.added == 0

        # The leaderboard through the CLI, as a user runs it: a fresh process, JSON out.
        # CPU seconds are reported beside wall seconds: on a shared machine the wall time of a
        # short process is mostly waiting for a core.
        cli_s, cli_cpu_s = [], []
        for _ in range(1 if quick else 5):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "desktop", "leaderboard", "--source", "arena", "--json"],
                capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
            cli_s.append(time.perf_counter() - t0)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cli_cpu_s.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
            if done.returncode != 0:
                raise RuntimeError(done.stderr[-2000:])
        board = json.loads(done.stdout)
        assert board["votes"] == rows and len(board["contenders"]) == MODELS

        from desktop.core.stats import bradley_terry as bt
        from desktop.core.stats.results import load_votes, results_for

        t0 = time.perf_counter()
        data = load_votes(store, "arena")
        load_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        results_for(data)
        compute_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        bt.fit(bt.pair_matrix(data.a, data.b, data.outcome, len(data.contenders), data.count))
        fit_s = time.perf_counter() - t0
        cells = len(data.a)
        store.close()
        os.environ.pop("SIDEBYSIDE_HOME", None)

    cli_max = max(cli_s)
    load_avg = os.getloadavg()[0]
    return [
        Figure("import_a", f"import {rows:,} Arena battles from CSV ({MODELS} models)",
               round(import_s, 2), "s", "≤ 90 s", import_s <= 90,
               {"csv_mb": round(csv_mb, 1), "rows_per_s": round(rows / import_s),
                "reference_csv_reader_s": round(parse_s, 2),
                "ratio_to_csv_reader": round(import_s / parse_s, 2),
                "import_cpu_s": round(import_cpu_s, 2),
                "reimport_same_file_s": round(reimport_s, 2), "reimport_added": again.added,
                "write_csv_s": round(write_s, 1)}),
        Figure("import_b", f"database growth for {rows:,} imported votes", round(grown / 1e6, 1),
               "MB", "", None,
               {"bytes_per_vote": round(grown / rows, 1), "csv_mb": round(csv_mb, 1)}),
        Figure("import_c", f"leaderboard --source arena --json, 100 bootstrap rounds, "
               f"{rows:,} votes, {MODELS} models", round(cli_max, 2), "s (max of runs, CLI)",
               "≤ 3 s", cli_max <= 3,
               {"cli_runs_s": [round(x, 2) for x in cli_s],
                "cli_cpu_s": [round(x, 2) for x in cli_cpu_s],
                "load_average_1min": round(load_avg, 1), "load_counts_s": round(load_s, 3),
                "results_in_process_s": round(compute_s, 3),
                "reference_single_fit_s": round(fit_s, 3), "cells": cells}),
    ]


if __name__ == "__main__":
    figures = [f.to_dict() for f in measure(quick="--quick" in sys.argv)]
    print(json.dumps(figures, indent=2))
