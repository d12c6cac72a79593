"""Target 9: tokens per second for 1 and 2 llama.cpp threads, quiet and with a busy neighbour.

Informational: the app measures its own thread count on first use of a model size
(desktop/core/local/threads.py); this table shows why no fixed rule fits every load.
"""

from __future__ import annotations

import os

from bench.common import BusyNeighbour, Figure
from bench.raw_llama import raw_tokens_per_s
from desktop.core.local.models import embedded_model_path
from desktop.core.local.load import LoadMonitor
from desktop.core.local.threads import back_off, choose, model_bucket


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
    busy = LoadMonitor().measure(0.75)  # as `doctor` samples: other programs only
    choice = choose(model_bucket(embedded_model_path()), busy=busy)
    chosen = choice.n_threads or back_off(max(choice.calibrate or [1]), busy)
    best_busy = max((1, 2), key=lambda t: table[f"busy_{t}t"])
    return [Figure(
        "9_threads", "llama.cpp threads: tok/s quiet and with one busy neighbour",
        float(chosen), "threads", f"measured by the app ({cores} cores)",
        None, {"tokens_per_s": table, "app_threads": chosen, "how": choice.how,
               "best_with_busy_neighbour": best_busy},
    )]
