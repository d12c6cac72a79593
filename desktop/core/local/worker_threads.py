"""Thread counts inside the worker process: set them on a loaded model, and time them.

The app chooses how many threads a local model uses (threads.py decides from the timings); the
worker applies the choice and, when asked ("calibrate" in a generate request), measures each
candidate on the model itself. These helpers live apart from the worker's main loop because
they are about speed, not the protocol. They touch the `Llama` object, so they run only on the
worker's one generating thread; llama.cpp is imported on first use, never at module level, so
the worker starts without it.
"""

from __future__ import annotations

import time

from desktop.core.local.threads import calibrate


def set_threads(llm, n_threads: int) -> None:
    """Use `n_threads` for both generation and batch (prompt) processing from now on."""
    from llama_cpp import llama_cpp as capi  # noqa: PLC0415

    if n_threads > 0 and n_threads != llm.context_params.n_threads:
        capi.llama_set_n_threads(llm._ctx.ctx, n_threads, n_threads)
        llm.context_params.n_threads = n_threads
        llm.context_params.n_threads_batch = n_threads


def calibrate_threads(llm, counts: list[int], budget_s: float = 0.12, most: int = 16) -> dict:
    """Time a short fixed decode at each thread count (threads.py keeps the fastest).

    Single-token decodes (the steady state of generation) after one small batch, for about
    `budget_s` per count and pass (at least 2, at most `most` tokens), two passes: about a
    second in all, whatever the model's size."""
    tokens = llm.tokenize(b"The quick brown fox jumps over the lazy dog", add_bos=True)
    most = max(2, min(most, llm.n_ctx() - 6))

    def measure(n_threads: int) -> float:
        set_threads(llm, n_threads)
        llm.reset()
        llm.eval(tokens[:4])
        llm.eval([tokens[4]])  # one decode untimed: caches warm for this thread count
        started = time.perf_counter()
        decoded = 0
        while decoded < 2 or (decoded < most and time.perf_counter() - started < budget_s):
            llm.eval([tokens[5 + decoded % (len(tokens) - 5)]])
            decoded += 1
        return decoded / (time.perf_counter() - started)

    try:
        return calibrate(measure, counts)
    finally:
        llm.reset()
