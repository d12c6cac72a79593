"""Shared helpers: figures, distributions, the machine description, busy neighbours."""

from __future__ import annotations

import multiprocessing
import os
import platform
import statistics
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Figure:
    id: str  # "1a_app_vs_raw_200", ...
    title: str
    value: float | None
    unit: str
    target: str  # human-readable target, e.g. "≥ 0.95"
    met: bool | None  # None: no target (informational)
    detail: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


def distribution(samples: list[float]) -> dict:
    ordered = sorted(samples)
    if not ordered:
        return {"n": 0}
    p99_index = min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))
    return {
        "n": len(ordered),
        "median": statistics.median(ordered),
        "p99": ordered[p99_index],
        "max": ordered[-1],
        "min": ordered[0],
    }


def machine() -> dict:
    info = {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "cpu_model": "",
        "memory_gb": None,
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu_model"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return info


def _spin() -> None:
    while True:
        pass


class BusyNeighbour:
    """One process spinning on a core, as another program on the machine would."""

    def __enter__(self):
        self.process = multiprocessing.get_context("spawn").Process(target=_spin, daemon=True)
        self.process.start()
        return self

    def __exit__(self, *exc):
        self.process.kill()
        self.process.join()


def run_python(code: str, *args: str, env: dict | None = None, timeout: float = 600) -> str:
    """Run a Python snippet in a fresh interpreter (clean imports, its own threads); stdout."""
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          timeout=timeout, env=env, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return done.stdout


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return float("nan")
