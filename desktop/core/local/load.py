"""How busy OTHER programs keep this machine: a running sample that leaves out the app itself.

llama.cpp's threads spin at a barrier after every operation, so one thread more than the free
cores makes every token wait; the app lowers its thread count when other programs are busy
(threads.py, `back_off`). Seeing that load right matters as much as the rule:

- **Not the app itself.** The app's own process tree (the window or command, its llama.cpp
  workers, anything else it started) is left out: its imports, the remote side's request, the
  window's painting and its own workers are not "other programs". The tree is walked from this
  process through /proc/PID/task/TID/children; each member counts utime + stime plus the
  cutime + cstime of children it has reaped, so a child that ends mid-window moves its CPU time to
  its parent instead of vanishing from the sum.
- **Sustained, not a burst.** A daemon thread samples every `INTERVAL_S` and keeps the last
  `KEEP` intervals (a few seconds, from before the battle started), so an answer never waits for
  a sample. The load is the median over those intervals: a program that was busy for less than
  half of the window (a compile finishing, a browser tab loading) does not cost the answer a
  thread.
- Started by whoever runs local models (`machine_load()`), once per process; it reads a few small
  files four times a second (well under 1 % of a core).
- **Paused while the app's own model generates** (`paused()`). Its llama.cpp threads then want
  every core, so other programs get less than they would (an interval then under-reports them),
  and each reading is a wake-up taken from those threads. The kept intervals stay as they were
  before the answer, which is the sample the next answer wants; a reading after the pause starts
  a fresh interval, so the time spent paused is never counted as one.

Linux only; elsewhere (no /proc) the load is unknown (None) and the measured best is used.
"""

from __future__ import annotations

import os
import statistics
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager

INTERVAL_S = 0.25
KEEP = 16  # 4 s of history

TreeTicks = Callable[[int], int]
MachineTicks = Callable[[], "tuple[int, int] | None"]


def machine_ticks() -> tuple[int, int] | None:
    """(busy, total) jiffies of the whole machine, from /proc/stat; None where unreadable."""
    try:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    total = sum(fields[:8])
    return total - idle, total


def tree_pids(root: int) -> list[int]:
    """`root` and every process descended from it that is still running."""
    found, stack = [root], [root]
    while stack:
        pid = stack.pop()
        try:
            tids = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tids:
            try:
                with open(f"/proc/{pid}/task/{tid}/children") as f:
                    children = [int(c) for c in f.read().split()]
            except (OSError, ValueError):
                continue
            for child in children:
                if child not in found:
                    found.append(child)
                    stack.append(child)
    return found


def tree_ticks(root: int) -> int:
    """CPU jiffies spent by `root`'s process tree: each member's own time and that of the
    children it has reaped."""
    ticks = 0
    for pid in tree_pids(root):
        try:
            with open(f"/proc/{pid}/stat") as f:
                after_name = f.read().rsplit(")", 1)[1].split()
            ticks += sum(int(after_name[i]) for i in (11, 12, 13, 14))
        except (OSError, ValueError, IndexError):
            continue
    return ticks


class LoadMonitor:
    """A running sample of the CPU other programs use, in cores (see the module docstring)."""

    def __init__(self, root: int | None = None, *, machine: MachineTicks = machine_ticks,
                 tree: TreeTicks = tree_ticks, cpus: int | None = None) -> None:
        self.root = os.getpid() if root is None else root
        self._machine, self._tree = machine, tree
        self._cpus = cpus or os.cpu_count() or 1
        self._loads: deque[float] = deque(maxlen=KEEP)
        self._last: tuple[int, int, int] | None = None
        self._lock = threading.Lock()
        self._first = threading.Event()
        self._thread: threading.Thread | None = None
        self._pauses = 0  # answers of the app's own models generating now (see `paused`)
        self._sampling = threading.Event()  # set while nothing pauses the sample
        self._sampling.set()

    def start(self) -> "LoadMonitor":
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="load-monitor",
                                                daemon=True)
                self._thread.start()
        return self

    def _run(self) -> None:
        while True:
            self._sampling.wait()
            if not self.tick():
                self._first.set()  # nothing to read here (not Linux): never wait for it
                return
            time.sleep(INTERVAL_S)

    @contextmanager
    def paused(self) -> Iterator[None]:
        """No readings while the block runs (the app's own model generating; see the module
        docstring). Nested and concurrent pauses count: sampling resumes after the last."""
        with self._lock:
            self._pauses += 1
            self._sampling.clear()
        try:
            yield
        finally:
            with self._lock:
                self._pauses -= 1
                if not self._pauses:
                    self._last = None  # the next reading opens a fresh interval
                    self._sampling.set()

    def tick(self) -> bool:
        """Take one reading; after the first, record the interval since the last one."""
        machine = self._machine()
        if machine is None:
            return False
        own = self._tree(self.root)
        reading = (machine[0], machine[1], own)
        with self._lock:
            if self._pauses:  # paused mid-reading: keep nothing from it
                self._last = None
                return True
            last, self._last = self._last, reading
            if last is not None and reading[1] > last[1]:
                busy = (reading[0] - last[0]) - (reading[2] - last[2])
                self._loads.append(max(0.0, busy / (reading[1] - last[1]) * self._cpus))
                self._first.set()
        return True

    def other_busy_cores(self, wait_s: float = INTERVAL_S * 2) -> float | None:
        """Cores' worth of CPU other programs kept busy, median over the kept intervals.
        Waits up to `wait_s` for the very first interval (only right after the start); None
        where the machine cannot be read."""
        if self._thread is not None:
            self._first.wait(wait_s)
        with self._lock:
            return statistics.median(self._loads) if self._loads else None

    def measure(self, window_s: float) -> float | None:
        """A sample over `window_s` taken now, on a monitor of its own (for `doctor` and the
        bench, which start cold): the median of its intervals, the app's own tree left out."""
        if not self.tick():
            return None
        steps = max(2, min(KEEP, round(window_s / (INTERVAL_S / 2))))
        for _ in range(steps):
            time.sleep(window_s / steps)
            self.tick()
        with self._lock:
            loads = list(self._loads)[-steps:]
        return statistics.median(loads) if loads else None


_MONITOR: LoadMonitor | None = None
_MONITOR_LOCK = threading.Lock()


def machine_load() -> LoadMonitor:
    """This process's one monitor, started on first use (the load is a fact of the machine, not
    of any one window or command)."""
    global _MONITOR
    with _MONITOR_LOCK:
        if _MONITOR is None:
            _MONITOR = LoadMonitor().start()
        return _MONITOR
