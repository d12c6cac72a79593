"""The load sample sees other programs, never the app itself (issue 21, "Load seen right").

Real processes on this machine, read through /proc: the app's own busy work (a thread in this
process and a child process spinning) must not read as load; a separate program spinning (started
so that it is not a descendant of the app) must. Nothing here is timed: each sample covers a
window and the assertions are about cores' worth of CPU in it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

import pytest

from desktop.core.local import load
from desktop.core.local.load import LoadMonitor

pytestmark = pytest.mark.skipif(not os.path.exists("/proc/stat"), reason="Linux /proc only")

SPIN = "while True: pass"
WINDOW_S = 1.0
WINDOWS = 3  # the app's own work and the spinning program run through all of them


def readings() -> list[float]:
    """Several samples in a row. Work that runs throughout (the app's own spinning, or the
    outside program) shows in every one of them; a burst of unrelated work on a shared machine
    does not, so the tests below look at the quietest and the busiest reading."""
    found = [LoadMonitor().measure(WINDOW_S) for _ in range(WINDOWS)]
    assert None not in found
    return found


def spin_in_a_thread(stop: threading.Event) -> threading.Thread:
    def spin() -> None:
        n = 0
        while not stop.is_set():
            n += 1  # pure Python: holds the GIL in slices, the sampler thread still runs

    thread = threading.Thread(target=spin, daemon=True)
    thread.start()
    return thread


def start_outside_program() -> int:
    """A spinning program that is NOT in the app's tree: started through a shell that exits at
    once, so the program is re-parented away from this process (as another user program is)."""
    shell = subprocess.run(
        ["sh", "-c", f"setsid {sys.executable} -c '{SPIN}' >/dev/null 2>&1 & echo $!"],
        capture_output=True, text=True, check=True)
    return int(shell.stdout.strip())


def test_the_apps_own_busy_thread_and_child_are_not_outside_load():
    stop = threading.Event()
    thread = spin_in_a_thread(stop)
    child = subprocess.Popen([sys.executable, "-c", SPIN])
    try:
        assert child.pid in load.tree_pids(os.getpid())
        other = min(readings())
    finally:
        stop.set()
        child.kill()
        child.wait()
        thread.join()
    # About 2 cores of the app's own work were running; none of it is "other programs".
    # Had the app's tree been counted, every reading would be about 2 cores.
    assert other < 0.5, f"the app's own work read as {other:.2f} cores"


def test_a_separate_busy_program_is_outside_load():
    pid = start_outside_program()
    try:
        assert pid not in load.tree_pids(os.getpid())
        other = min(readings())
    finally:
        os.kill(pid, signal.SIGKILL)
    assert other >= 0.7, f"a spinning program read as {other:.2f} cores"


def test_a_burst_shorter_than_half_the_window_is_not_sustained_load():
    # Scripted /proc readings: 16 intervals of 100 jiffies on 2 CPUs; other programs were busy
    # (a full core) during 5 of them, the app itself busy during all of them.
    machine, own = [(0, 0)], [0]
    for i in range(16):
        outside = 50 if i < 5 else 0
        machine.append((machine[-1][0] + 60 + outside, machine[-1][1] + 100))
        own.append(own[-1] + 60)
    readings, owns = iter(machine), iter(own)
    monitor = LoadMonitor(machine=lambda: next(readings), tree=lambda root: next(owns), cpus=2)
    for _ in range(17):
        monitor.tick()
    assert monitor.other_busy_cores(wait_s=0) == 0.0


def test_no_reading_is_kept_while_paused_and_the_pause_is_not_one_interval():
    # Scripted /proc readings, 100 jiffies an interval on 2 CPUs. Before the pause nothing else
    # runs; while paused (the app's own model generating) every reading is dropped; the first
    # reading after the pause opens a fresh interval instead of spanning the pause.
    machine = [(0, 0), (0, 100), (0, 200),  # idle: two intervals of 0 cores
               (150, 300), (300, 400),  # read while paused: dropped
               (300, 500), (300, 600)]  # after: the first opens an interval, the next is 0
    readings = iter(machine)
    monitor = LoadMonitor(machine=lambda: next(readings), tree=lambda root: 0, cpus=2)
    for _ in range(3):
        monitor.tick()
    with monitor.paused(), monitor.paused():  # two answers of the app's own models at once
        monitor.tick()
        monitor.tick()
        assert not monitor._sampling.is_set()  # the sampling thread waits instead of reading
    assert monitor._sampling.is_set()
    monitor.tick()
    assert monitor.other_busy_cores(wait_s=0) == 0.0
    monitor.tick()
    assert list(monitor._loads) == [0.0, 0.0, 0.0]  # the two before and one after, none spanning
