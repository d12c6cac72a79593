"""Warm llama.cpp workers, kept between prompts so a model loads once.

A `WorkerPool` keys idle workers by their `LoadSettings` (model file and load settings) and
hands a busy worker to nobody else, so two sides that use the same model each get a worker of
their own (one `Llama` is never shared). `acquire(prefer=...)` gives back the worker that
answered the previous turn when it is idle, since it holds that conversation's KV cache. A
worker that died, or did not recover from a stop, is dropped and replaced by a fresh one on the
next request; at most `MAX_IDLE_PER_MODEL` idle workers stay per settings. `busy_threads` tells
an answering worker how many threads the app's other answering workers use.

There is no global pool: the window and each CLI command own one (a context manager) and close
it, which ends its workers. Open pools are only tracked weakly, so tests and the bench can see
(`every_worker`) and end (`shutdown_every_pool`) every worker still running.
"""

from __future__ import annotations

import threading
import weakref

from desktop.core.local.client import LoadSettings, Spawner, WorkerProcess
from desktop.core.base.paths import log_dir


class WorkerPool:
    """Warm workers by load settings; a worker serves one request at a time."""

    MAX_IDLE_PER_MODEL = 2
    _live: "weakref.WeakSet[WorkerPool]" = weakref.WeakSet()  # for `every_worker` (tests, bench)

    def __init__(self) -> None:
        WorkerPool._live.add(self)
        self._lock = threading.Lock()
        self._idle: dict[LoadSettings, list[WorkerProcess]] = {}
        self._all: set[WorkerProcess] = set()
        self._busy: set[WorkerProcess] = set()
        self._spawner = Spawner()  # starts this pool's workers; lives as long as the pool

    def acquire(self, settings: LoadSettings, prefer: WorkerProcess | None = None) -> WorkerProcess:
        """A warm idle worker for these settings, or a new one (not yet loaded). `prefer`, when
        idle, comes first: the worker that answered the previous turn holds its KV cache."""
        with self._lock:
            idle = self._idle.get(settings, [])
            if prefer is not None and prefer in idle:
                idle.remove(prefer)
                idle.append(prefer)  # popped first below
            while idle:
                worker = idle.pop()
                if worker.alive() and worker.drain():
                    self._busy.add(worker)
                    return worker
                self._all.discard(worker)
                worker.kill()
        log_path = None
        try:
            log_path = log_dir() / "worker.log"
        except OSError:
            pass
        worker = WorkerProcess(settings, log_path, self._spawner)
        with self._lock:
            self._all.add(worker)
            self._busy.add(worker)
        return worker

    def release(self, worker: WorkerProcess) -> None:
        with self._lock:
            self._busy.discard(worker)
            if not worker.alive() or not worker.loaded:
                self._all.discard(worker)
                worker.kill()
                return
            idle = self._idle.setdefault(worker.settings, [])
            if len(idle) >= self.MAX_IDLE_PER_MODEL:
                self._all.discard(worker)
                worker.kill()
                return
            idle.append(worker)

    def busy_threads(self, besides: WorkerProcess | None = None) -> int:
        """Threads that the app's other answering workers use (a battle of two local models)."""
        with self._lock:
            return sum(w.n_threads or w.settings.n_threads or 1
                       for w in self._busy if w is not besides and w.alive())

    def workers(self) -> list[WorkerProcess]:
        with self._lock:
            return list(self._all)

    def shutdown(self) -> None:
        with self._lock:
            workers, self._all, self._idle = list(self._all), set(), {}
            self._busy = set()
        for worker in workers:
            worker.kill()
        self._spawner.stop()

    close = shutdown

    @classmethod
    def every_worker(cls) -> list[WorkerProcess]:
        """The workers of every pool still open (a test's or a probe's view of the processes)."""
        return [worker for pool in list(cls._live) for worker in pool.workers()]

    @classmethod
    def shutdown_every_pool(cls) -> None:
        """End the workers of every pool still open (test teardown)."""
        for pool in list(cls._live):
            pool.shutdown()

    def __enter__(self) -> "WorkerPool":
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
