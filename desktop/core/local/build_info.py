"""What this machine and its llama.cpp build are, read cheaply and without importing llama_cpp.

The app process never loads llama.cpp (the worker does), so everything here comes from files:
/proc/cpuinfo and /sys on Linux, sysctl on macOS, the installed package's metadata and the
files of its compiled libraries. `build_key()` names "this build on this CPU": what the app
learns about it (that it needs safe mode, which thread count is fastest) is remembered under it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import platform
import subprocess
import sys
from functools import lru_cache
from importlib import metadata
from pathlib import Path


@lru_cache(maxsize=1)
def cpu_info() -> dict:
    """{"model": str, "flags": [str]} as well as the platform lets us read it."""
    model, flags = "", []
    try:
        for line in Path("/proc/cpuinfo").read_text(errors="replace").splitlines():
            key, _, value = line.partition(":")
            key = key.strip()
            if key in ("model name", "Model", "Hardware") and not model:
                model = value.strip()
            elif key in ("flags", "Features") and not flags:
                flags = value.split()
    except OSError:
        pass
    if not model and sys.platform == "darwin":
        model = _sysctl("machdep.cpu.brand_string")
        flags = (_sysctl("machdep.cpu.features") + " " + _sysctl("machdep.cpu.leaf7_features")
                 ).lower().split()
    if not model:
        model = platform.processor() or platform.machine()
    return {"model": model, "flags": sorted(set(flags))}


def _sysctl(name: str) -> str:
    try:
        return subprocess.run(["sysctl", "-n", name], capture_output=True, text=True,
                              timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def logical_cores() -> int:
    """Logical CPUs this process may run on (its affinity, where the OS has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def physical_cores() -> int:
    """Cores, not hyper-threads, among the CPUs this process may run on."""
    try:
        cpus = sorted(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = []
    if cpus:
        siblings = set()
        for cpu in cpus:
            path = Path(f"/sys/devices/system/cpu/cpu{cpu}/topology/thread_siblings_list")
            try:
                siblings.add(path.read_text().strip())
            except OSError:
                return len(cpus)
        return max(1, len(siblings))
    if sys.platform == "darwin":
        try:
            return max(1, int(_sysctl("hw.physicalcpu")))
        except ValueError:
            pass
    return logical_cores()


def llama_cpp_version() -> str:
    try:
        return metadata.version("llama_cpp_python")
    except metadata.PackageNotFoundError:
        return ""


def llama_lib_dir() -> Path | None:
    """The folder of the installed llama_cpp package's compiled libraries (not imported)."""
    try:
        spec = importlib.util.find_spec("llama_cpp")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    lib = Path(list(spec.submodule_search_locations)[0]) / "lib"
    return lib if lib.is_dir() else None


def _build_files_signature() -> str:
    """Names, sizes and times of the compiled libraries: a rebuild with other flags differs."""
    lib = llama_lib_dir()
    if lib is None:
        return ""
    parts = []
    for path in sorted(lib.iterdir()):
        try:
            stat = path.stat()
        except OSError:
            continue
        parts.append(f"{path.name}:{stat.st_size}:{int(stat.st_mtime)}")
    return ";".join(parts)


@lru_cache(maxsize=1)
def build_key() -> str:
    """A short name for this llama.cpp build on this CPU."""
    cpu = cpu_info()
    text = "|".join([
        llama_cpp_version(), _build_files_signature(), platform.machine(), cpu["model"],
        " ".join(cpu["flags"]),
    ])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
