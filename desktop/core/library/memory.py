"""This machine's memory, to say whether a model fits: total RAM, and GPU memory when known.

VRAM comes from `SIDEBYSIDE_VRAM_GB` when set, else from `nvidia-smi` when it is installed
(llama.cpp offloads to the GPU only when built for it, so RAM is what decides by default).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass

VRAM_ENV = "SIDEBYSIDE_VRAM_GB"
RAM_SHARE = 0.75  # leave a quarter of RAM to the system and the other contender
FITS, TIGHT, TOO_BIG = "yes", "tight", "no"


@dataclass(frozen=True)
class Machine:
    ram_bytes: int | None
    vram_bytes: int | None = None

    def fits(self, needed_bytes: int) -> str:
        """'yes' (fits comfortably), 'tight' (only just), 'no', or '' when RAM is unknown."""
        if self.vram_bytes and needed_bytes <= self.vram_bytes * 0.9:
            return FITS
        if not self.ram_bytes:
            return ""
        if needed_bytes <= self.ram_bytes * RAM_SHARE:
            return FITS
        if needed_bytes <= self.ram_bytes:
            return TIGHT
        return TOO_BIG


def total_ram() -> int | None:
    try:
        if sys.platform == "darwin":
            out = subprocess.run(["sysctl", "-n", "hw.memsize"], capture_output=True, text=True,
                                 timeout=5)
            return int(out.stdout.strip())
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError, subprocess.SubprocessError):
        return None


def gpu_memory() -> int | None:
    raw = os.environ.get(VRAM_ENV, "").strip()
    if raw:
        try:
            return int(float(raw) * 1024**3)
        except ValueError:
            return None
    tool = shutil.which("nvidia-smi")
    if not tool:
        return None
    try:
        out = subprocess.run([tool, "--query-gpu=memory.total", "--format=csv,noheader,nounits"],
                             capture_output=True, text=True, timeout=5)
        mib = max(int(line) for line in out.stdout.split() if line.strip().isdigit())
        return mib * 1024**2
    except (ValueError, OSError, subprocess.SubprocessError):
        return None


def this_machine() -> Machine:
    return Machine(total_ram(), gpu_memory())
