"""The default llama.cpp thread count, derived from the machine's cores.

Measured on a 2-core machine (see docs/performance.md, "Threads", for the table and the
harness that produces it): llama.cpp's threads spin while they wait for each other, so a thread
count equal to the core count collapses as soon as anything else runs (the other side of a
battle, the window rendering two streams). Leaving one core free costs little when the machine is
quiet and saves the answer when it is not. Rule: one thread below the core count, at least one,
at most 8 (beyond that a small model is bound by memory bandwidth, not compute).
"""

from __future__ import annotations

import os


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def default_threads(cores: int | None = None) -> int:
    cores = available_cores() if cores is None else cores
    return max(1, min(8, cores - 1))
