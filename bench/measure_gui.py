"""Targets 2, 3 and 5: the window while it works (figure 1 is bench/measure_paired.py).

2. Main-thread stalls: a 5 ms heartbeat timer on the UI thread during rounds of the embedded
   model against a 2,000 tok/s remote (the app at its default settings), from
   Send to both answers saved; lateness = gap between ticks minus 5 ms, every tick a sample.
3. Rendering scales linearly: 10,000 and 20,000 tokens streamed into a shown answer pane in the
   battle runner's batches (66 tokens per 33 ms drain at 2,000 tokens/s), alternately; ratio of
   the medians.
5. Stop: the local model generating and the remote stalled mid-answer (the server holds the
   connection open and sends nothing); Stop clicked; time until both sides' done events have
   reached the UI thread and the battle's pump thread has ended.

Every window runs in its own fresh interpreter (bench/gui_probe.py); the server runs in another
process (bench/remote.py), as a remote API would.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys

from bench.common import ROOT, Figure, distribution
from bench.remote import RemoteServer, stream_pieces

REMOTE_TOKENS_PER_S = 2000
# One event (one token) every 0.5 ms, on schedule; what is due is written every 2 ms (see
# bench/remote.py). The rate the app actually received is reported with the figure.
REMOTE_DELAY_S = 1 / REMOTE_TOKENS_PER_S


def probe(*args, env: dict | None = None, timeout: float = 900) -> dict:
    done = subprocess.run([sys.executable, "-m", "bench.gui_probe", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                          env={**os.environ, **(env or {})})
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"gui_probe {args[0]} failed: {done.stderr[-2000:]}")
    return json.loads(lines[-1])


def measure(quick: bool = False) -> list[Figure]:
    return [*stalls(quick), render_scaling(quick), stop_latency(quick)]


def stalls(quick: bool) -> list[Figure]:
    max_tokens = 48 if quick else 200
    rounds = 1 if quick else 3
    with RemoteServer() as remote:
        # Long enough to stream for the whole local answer, whatever the machine's speed.
        remote.set_reply(pieces=stream_pieces(2_000 if quick else 12_000), delay_s=REMOTE_DELAY_S)
        run = probe("battle", rounds, max_tokens, env={**remote.env(), "BENCH_THREADS": ""})
    lateness = distribution(run["lateness_ms"])
    figure = Figure(
        "2_main_thread_stalls",
        "lateness of a 5 ms UI-thread heartbeat while both sides stream",
        lateness.get("p99"), "ms p99", "p99 < 16 ms, max < 50 ms",
        lateness.get("p99", 99) < 16 and lateness.get("max", 99) < 50,
        {**{k: round(v, 2) if isinstance(v, float) else v for k, v in lateness.items()},
         "late_ticks_over_16ms": run["late_ticks"]},
    )
    return [figure]


def render_scaling(quick: bool) -> Figure:
    small, large = (2_000, 4_000) if quick else (10_000, 20_000)
    repeats = 1 if quick else 3
    costs: dict[int, list[float]] = {small: [], large: []}
    for _ in range(repeats):
        for tokens in (small, large):
            costs[tokens] += probe("render", tokens, 1)["seconds"]
    ratio = statistics.median(costs[large]) / statistics.median(costs[small])
    return Figure(
        "3_render_scaling", f"cost of streaming {large:,} tokens into a pane / {small:,} tokens",
        ratio, "×", "≤ 2.2", ratio <= 2.2,
        {f"{k}_tokens_s": _rounded(v, 3) for k, v in costs.items()},
    )


def stop_latency(quick: bool) -> Figure:
    trials = 2 if quick else 10
    with RemoteServer() as remote:
        remote.set_reply(pieces=stream_pieces(400), delay_s=0.001, fault="stall", fault_after=20,
                         stall_s=120)
        run = probe("stop", trials, env=remote.env())
    stops = distribution(run["stop_ms"])
    return Figure(
        "5_stop", "Stop pressed to both sides idle (stalled remote, generating local model)",
        stops["max"], "ms max", "< 200 ms", stops["max"] < 200,
        {**{k: round(v, 1) if isinstance(v, float) else v for k, v in stops.items()},
         "stop_to_saved_ms": _rounded(run["stop_to_saved_ms"])},
    )


def _rounded(values: list[float], digits: int = 1) -> list[float]:
    return [round(v, digits) for v in values]
