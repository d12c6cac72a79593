"""The window side of the paired bench: one offscreen window that plays a round per request.

    python -m bench.paired_probe MAX_TOKENS local    # the embedded model vs the remote
    python -m bench.paired_probe MAX_TOKENS remote   # the remote on both sides (figure 1d)

It builds the window (the app at its default settings, or BENCH_THREADS), plays one unmeasured
round (the model loads; a fresh data folder measures its thread count), prints "ready", then
plays one round for every line read on stdin and prints one JSON line per round: the local
side's rate and thread count, the CPU seconds its llama.cpp worker spent, the window process's
own CPU seconds and the tokens each side produced. Between rounds the window sits idle, so the
parent can run raw llama-cpp-python beside the same neighbour load (bench/measure_paired.py).
"""

from __future__ import annotations

import json
import os
import sys
import time

from bench.gui_probe import _answers, _finished, _local_threads, _send, _window

TICK = os.sysconf("SC_CLK_TCK")


def _cpu_s(pid: int) -> float:
    """CPU seconds (user + system) of process `pid` so far; 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def _worker_pids() -> list[int]:
    from desktop.core.local.workers import WorkerPool

    return [w.pid for w in WorkerPool.every_worker()]


def _why_threads() -> dict:
    """What the app's thread choice rests on: the load it sees from other programs (the same
    running sample the local side reads) and the best count it measured and remembers."""
    from desktop.core.local.load import machine_load
    from desktop.core.local.models import embedded_model_path
    from desktop.core.local.threads import model_bucket, remembered

    busy = machine_load().other_busy_cores(wait_s=0)
    learned = remembered(model_bucket(embedded_model_path()))
    return {"other_busy_cores": None if busy is None else round(busy, 2),
            "measured_best": learned.get("best") if learned else None}


def _wait_finished(window, timeout_s: float) -> None:
    """Run the event loop until the round is saved, woken by the controller's own signal: a
    poll every 20 ms (gui_probe.wait_until) would add 50 wake-ups a second of the harness to
    the window process whose CPU and neighbour load are being measured."""
    from PySide6.QtCore import QEventLoop, QTimer

    if _finished(window):
        return
    loop = QEventLoop()
    deadline = QTimer(loop)
    deadline.setSingleShot(True)
    deadline.timeout.connect(loop.quit)
    deadline.start(int(timeout_s * 1000))
    window.controller.state_changed.connect(loop.quit)
    while not _finished(window) and deadline.isActive():
        loop.exec()
    window.controller.state_changed.disconnect(loop.quit)
    deadline.stop()
    if not _finished(window):
        raise TimeoutError(f"the round did not finish in {timeout_s:.0f} s")


def play(window) -> dict:
    why = _why_threads()
    workers = {pid: _cpu_s(pid) for pid in _worker_pids()}
    own = time.process_time()
    _send(window)
    _wait_finished(window, 300)
    own = time.process_time() - own
    worker_cpu = sum(_cpu_s(pid) - workers.get(pid, 0.0) for pid in _worker_pids())
    answers = _answers(window)
    for answer in answers.values():
        if answer.error is not None:
            raise RuntimeError(f"{answer.contender}: {answer.error}")
    left, right = answers["left"], answers["right"]
    return {
        "left_tokens": left.output_tokens, "left_tokens_per_s": left.tokens_per_s,
        "right_tokens": right.output_tokens, "right_tokens_per_s": right.tokens_per_s,
        "local_threads": _local_threads(), "worker_cpu_s": worker_cpu, "window_cpu_s": own, **why,
    }


def main(argv: list[str]) -> int:
    max_tokens, left = int(argv[0]), argv[1]
    spec = "local" if left == "local" else "openai:gpt-4o"
    _app, window = _window(max_tokens, left=spec)
    play(window)  # the model loads, the threads are measured: not a measured round
    print("ready", flush=True)
    for _line in sys.stdin:
        print(json.dumps(play(window)), flush=True)
    window.close()
    pool = sys.modules.get("desktop.core.local.workers")
    if pool is not None:
        pool.WorkerPool.shutdown_every_pool()
    os._exit(0)  # no Qt teardown to wait for


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
