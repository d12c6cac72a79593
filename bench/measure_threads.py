"""Target 9: tokens per second for 1 and 2 llama.cpp threads, quiet and with a busy neighbour.

The app's default thread rule (desktop/core/local/threads.py) follows from this table.
"""

from __future__ import annotations

import os

from bench.common import BusyNeighbour, Figure
from bench.raw_llama import raw_tokens_per_s
from desktop.core.local.threads import default_threads


def measure(quick: bool = False) -> list[Figure]:
    max_tokens = 48 if quick else 200
    table = {}
    for condition in ("quiet", "busy"):
        for threads in (1, 2):
            if condition == "busy":
                with BusyNeighbour():
                    result = raw_tokens_per_s(threads, max_tokens)
            else:
                result = raw_tokens_per_s(threads, max_tokens)
            table[f"{condition}_{threads}t"] = round(result["tokens_per_s"], 1)
    cores = os.cpu_count() or 1
    chosen = default_threads()
    best_busy = max((1, 2), key=lambda t: table[f"busy_{t}t"])
    return [Figure(
        "9_threads", "llama.cpp threads: tok/s quiet and with one busy neighbour",
        float(chosen), "threads", f"default follows the table ({cores} cores)",
        None, {"tokens_per_s": table, "default_threads": chosen,
               "best_with_busy_neighbour": best_busy},
    )]
