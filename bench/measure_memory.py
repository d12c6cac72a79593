"""Figure 8 (informational): resident memory of the window, without and with the local model.

Both in fresh interpreters (bench/gui_probe.py): the window three seconds after it opened with no
model loaded (the background work after the first paint has finished, so the modules a round
needs are already imported); then a window that has answered one short prompt with the embedded
model, whose llama.cpp worker process is counted beside it. RSS is read from /proc (VmRSS).
"""

from __future__ import annotations

from bench.common import Figure
from bench.measure_gui import probe


def measure(quick: bool = False) -> list[Figure]:
    idle = probe("idle")
    loaded = probe("loaded")
    total = loaded["app_rss_mb"] + loaded["worker_rss_mb"]
    return [
        Figure("8a_memory_idle", "resident size of the window at rest, no model loaded",
               round(idle["rss_mb"], 1), "MB", "", None, idle),
        Figure("8b_memory_model", "window + llama.cpp worker with the embedded model loaded",
               round(total, 1), "MB", "", None,
               {k: round(v, 1) if isinstance(v, float) else v for k, v in loaded.items()}),
    ]
