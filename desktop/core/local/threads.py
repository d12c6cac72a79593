"""How many threads llama.cpp gets: measured once per model size, backed off only under load.

A fixed rule cannot be right everywhere. On a 2-core VM "cores − 1" left 40 % of the speed
unused (see docs/performance.md, "Threads"), while on a big machine the best count is set by
memory bandwidth and is often below the core count. So the app measures:

- **Calibration.** The first time a model of a given size (bucket: the file's size rounded up to
  a power of two, CPU or GPU) runs on this build and CPU, the worker times a short fixed decode
  at 1 … physical cores threads (hyper-threads only slow llama.cpp down), in two interleaved
  passes, and the fastest count is kept in the data folder (`learned.py`). Within 3 % of the
  fastest the fewest threads win: they leave room for the window and the other side. It costs
  about a second, once. It is not done while another local model answers or other programs use
  half a core or more (the measurement would be theirs): the free cores are used meanwhile.
- **Back-off under load.** Before each answer the app reads how much CPU other programs have
  been using (load.py: a running sample of the last few seconds, median of its intervals, the
  app's own process tree left out, so it delays nothing and a burst does not count). llama.cpp's
  threads spin at a barrier after every operation, so one thread more than the free cores makes
  every token wait: the count is lowered to the free cores, rounded, never below 1. The app's
  other answering workers (a local model on both sides) count as load.
- `--threads` and `n_threads` in the window's settings override all of this.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from desktop.core.local import learned
from desktop.core.local.build_info import logical_cores, physical_cores

MAX_THREADS = 8  # beyond this a model on a CPU is bound by memory bandwidth, not compute
TIE = 0.03  # counts within 3 % of the fastest are as fast; the fewest of those wins


def available_cores() -> int:
    return logical_cores()


def default_threads(cores: int | None = None) -> int:
    """The count used before anything is measured: physical cores, at most 8."""
    cores = physical_cores() if cores is None else cores
    return max(1, min(MAX_THREADS, cores))


def candidate_counts(cores: int | None = None) -> list[int]:
    """1 … cores on small machines; on bigger ones only the upper half (one thread of eight is
    never the fastest there, and every count measured costs time)."""
    top = default_threads(cores)
    if top <= 4:
        return list(range(1, top + 1))
    return sorted({top // 2, (3 * top) // 4, top - 1, top})


def pick_best(rates: dict[int, float]) -> int:
    """The fewest threads whose speed is within TIE of the fastest."""
    fastest = max(rates.values())
    return min(n for n, rate in rates.items() if rate >= fastest * (1 - TIE))


def calibrate(measure: Callable[[int], float], counts: Iterable[int], rounds: int = 2) -> dict:
    """Run `measure(threads) -> tokens/s` for each count, in `rounds` interleaved passes, and
    keep each count's best: a burst of other work during one pass then slows one sample of a
    count, not the count. The worker does this on the model."""
    counts = list(counts)
    rates: dict[int, float] = {}
    for _ in range(rounds):
        for n in counts:
            rates[n] = max(rates.get(n, 0.0), measure(n))
    return {"best": pick_best(rates),
            "tokens_per_s": {str(n): round(r, 1) for n, r in rates.items()}}


def model_bucket(path: str | Path, n_gpu_layers: int = 0) -> str:
    try:
        size_mb = max(1.0, Path(path).stat().st_size / 2**20)
    except OSError:
        size_mb = 1.0
    return f"{'gpu' if n_gpu_layers else 'cpu'}-{2 ** math.ceil(math.log2(size_mb))}MB"


def remembered(bucket: str) -> dict | None:
    entry = learned.for_this_build().get("threads", {}).get(bucket)
    return entry if isinstance(entry, dict) and isinstance(entry.get("best"), int) else None


def remember(bucket: str, calibration: dict) -> None:
    def change(entry: dict) -> None:
        entry.setdefault("threads", {})[bucket] = {
            "best": int(calibration["best"]),
            "tokens_per_s": calibration.get("tokens_per_s", {}),
        }

    learned.update_this_build(change)


def back_off(best: int, busy: float | None, other_local_threads: int = 0,
             cores: int | None = None) -> int:
    """`best`, lowered to the cores the rest of the machine leaves free (rounded), at least 1."""
    cores = logical_cores() if cores is None else cores
    free = cores - (busy or 0.0) - other_local_threads
    return max(1, min(best, int(free + 0.5)))


@dataclass(frozen=True)
class ThreadChoice:
    n_threads: int | None  # None: the worker calibrates first, then uses min(best, max_threads)
    max_threads: int
    calibrate: list[int] | None
    how: str  # in plain words, for `doctor` and the worker log


# Calibrating while other programs use this much of the machine would measure them, not us.
CALIBRATE_BELOW_BUSY = 0.5


def choose(bucket: str, explicit: int | None = None, busy: float | None = None,
           other_local_threads: int = 0) -> ThreadChoice:
    if explicit:
        return ThreadChoice(explicit, explicit, None,
                            f"{explicit}, set by --threads or the settings")
    learned_best = remembered(bucket)
    counts = candidate_counts()
    cap = back_off(max(counts), busy, other_local_threads)
    load = "" if busy is None else f"; other programs used {busy:.1f} of {logical_cores()} cores"
    if learned_best is None:
        if len(counts) == 1:
            return ThreadChoice(1, 1, None, "1, the only core")
        if other_local_threads or (busy or 0.0) >= CALIBRATE_BELOW_BUSY:
            # Two local models answering at once, or a busy machine: a measurement now would
            # be skewed; use the cores left free and measure on a calmer answer.
            why = ("another local model is answering" if other_local_threads
                   else "the machine is busy")
            return ThreadChoice(cap, cap, None,
                                f"{cap}, the free cores (not measured yet: {why}){load}")
        return ThreadChoice(None, cap, counts,
                            f"not measured yet for this model size: the first answer times "
                            f"1–{max(counts)} threads (about a second, once) and keeps the "
                            f"fastest, at most {cap} now{load}")
    best = learned_best["best"]
    n = back_off(best, busy, other_local_threads)
    rates = ", ".join(f"{k} → {v} tok/s" for k, v in learned_best.get("tokens_per_s", {}).items())
    why = f"{n}, measured fastest ({rates})" if n == best else (
        f"{n}, below the measured best of {best} because the machine is busy")
    return ThreadChoice(n, n, None, why + load)
