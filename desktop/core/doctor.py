"""`sidebyside doctor`: everything a user or a bug report needs about this machine, in one place.

`report()` gathers it as a dict (the JSON of `doctor --json`); `format_text()` writes it for
people. llama.cpp is asked about itself in a child process, so a build that cannot even load
on this CPU (an illegal instruction) is reported instead of ending the doctor too.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import platform
import shutil
import subprocess
import sys
import uuid
from importlib import metadata

from desktop import __version__
from desktop.core.base import keys
from desktop.core.base.paths import data_dir
from desktop.core.library.memory import RAM_SHARE, VRAM_ENV, gpu_memory, total_ram
from desktop.core.local import safe_mode, threads
from desktop.core.local.build_info import (
    build_key, cpu_info, llama_cpp_version, llama_lib_dir, logical_cores, physical_cores,
)
from desktop.core.local.client import describe_exit
from desktop.core.local.load import LoadMonitor
from desktop.core.local.models import embedded_model_path

# Run in a child interpreter: what llama-cpp-python says about the build it loaded.
_LLAMA_PROBE = r"""
import json, llama_cpp
info = {"version": getattr(llama_cpp, "__version__", ""),
        "system_info": llama_cpp.llama_print_system_info().decode("utf-8", "replace").strip(),
        "gpu_offload": bool(llama_cpp.llama_supports_gpu_offload())}
print(json.dumps(info))
"""
# Backends a llama.cpp build can be made with, as system info and library files name them.
_GPU_BACKENDS = {"CUDA": "CUDA", "METAL": "Metal", "MTL": "Metal", "VULKAN": "Vulkan",
                 "HIP": "ROCm (HIP)", "ROCM": "ROCm (HIP)", "SYCL": "SYCL", "OPENCL": "OpenCL",
                 "MUSA": "MUSA", "CANN": "CANN", "KOMPUTE": "Kompute", "BLAS": "BLAS"}


def _llama() -> dict:
    lib = llama_lib_dir()
    result: dict = {
        "version": llama_cpp_version() or None,
        "library_folder": str(lib) if lib else None,
        "library_files": sorted(p.name for p in lib.iterdir()) if lib else [],
        "build_key": build_key(),
        "system_info": None, "gpu_offload": None, "backends": [], "error": None,
    }
    if not result["version"]:
        result["error"] = "llama-cpp-python is not installed: pip install llama-cpp-python"
        return result
    if getattr(sys, "frozen", False):  # the bundle has no interpreter to start: ask in-process
        try:
            result.update(_probe_in_process())
        except Exception as exc:
            result["error"] = f"llama_cpp could not be loaded ({type(exc).__name__}: {exc})"
    else:
        done = subprocess.run([sys.executable, "-c", _LLAMA_PROBE], capture_output=True,
                              text=True, timeout=120)
        if done.returncode == 0 and done.stdout.strip():
            result.update(json.loads(done.stdout.strip().splitlines()[-1]))
        else:
            tail = (done.stderr.strip().splitlines() or [""])[-1]
            result["error"] = (f"loading llama_cpp failed ({describe_exit(done.returncode)})"
                               + (f": {tail}" if tail else ""))
    result["backends"] = _backends(result["system_info"] or "", result["library_files"])
    return result


def _probe_in_process() -> dict:
    namespace: dict = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(_LLAMA_PROBE, namespace)
    return json.loads(out.getvalue().strip().splitlines()[-1])


def _backends(system_info: str, library_files: list[str]) -> list[str]:
    """Backends compiled in: "CPU" plus any GPU/accelerator one named by system info or a file."""
    found = ["CPU"]
    names = [part.split(":")[0].strip().upper() for part in system_info.split("|") if ":" in part]
    names += [f.upper() for f in library_files]
    for marker, label in _GPU_BACKENDS.items():
        if any(n == marker or f"GGML-{marker}" in n for n in names) and label not in found:
            found.append(label)
    return found


def _cpu() -> dict:
    info = cpu_info()
    interesting = [f for f in info["flags"] if f.startswith(("avx", "amx", "fma", "f16c", "sse4",
                                                             "neon", "asimd", "sve", "i8mm"))]
    return {
        "model": info["model"], "architecture": platform.machine(),
        "logical_cores": logical_cores(), "physical_cores": physical_cores(),
        "features": interesting, "amx_advertised": any(f.startswith("amx") for f in info["flags"]),
    }


def _qt() -> dict:
    version = None
    for dist in ("PySide6-Essentials", "PySide6"):
        try:
            version = metadata.version(dist)
            break
        except metadata.PackageNotFoundError:
            continue
    # Read from the environment rather than from a QGuiApplication: starting Qt without a
    # display aborts the process, and the doctor must work on a bare server too.
    platform_name = os.environ.get("QT_QPA_PLATFORM") or (
        "wayland" if os.environ.get("WAYLAND_DISPLAY") else
        "xcb" if os.environ.get("DISPLAY") else
        {"darwin": "cocoa", "win32": "windows"}.get(sys.platform))
    source = ("QT_QPA_PLATFORM" if os.environ.get("QT_QPA_PLATFORM") else
              "WAYLAND_DISPLAY" if os.environ.get("WAYLAND_DISPLAY") else
              "DISPLAY" if os.environ.get("DISPLAY") else "the OS" if platform_name else
              "no DISPLAY or WAYLAND_DISPLAY: the window cannot open here")
    return {"pyside6": version, "platform": platform_name, "platform_source": source}


def _threads() -> dict:
    try:
        bucket = threads.model_bucket(embedded_model_path())
    except Exception:
        bucket = "cpu-128MB"
    busy = LoadMonitor().measure(0.75)  # other programs only: doctor's own start-up is left out
    choice = threads.choose(bucket, None, busy)
    return {"n_threads": choice.n_threads, "max_threads": choice.max_threads, "how": choice.how,
            "model_bucket": bucket, "busy_cores": None if busy is None else round(busy, 2),
            "override": "--threads N on the command line, or n_threads in the window's "
                        "settings.json"}


def _safe_mode() -> dict:
    entry = safe_mode.remembered()
    if entry:
        return {"on": True, "since": entry.get("since"), "why": entry.get("reason")}
    return {"on": False, "since": None,
            "why": "llama.cpp's fast path has not crashed with this build on this CPU"}


def _keyring() -> dict:
    try:
        backend = keys._backend()
        name = f"{type(backend).__module__}.{type(backend).__name__}"
    except Exception as exc:
        return {"backend": None, "can_store": False, "detail": f"{type(exc).__name__}: {exc}"}
    if keys.keyring_problem():
        return {"backend": name, "can_store": False,
                "detail": "no usable keyring backend; API keys can come from the environment "
                          "(OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY)"}
    # A real round trip with a throwaway entry: a keyring can exist and still refuse to store.
    service, user, secret = "sidebyside-doctor", f"probe-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    try:
        backend.set_password(service, user, secret)
        stored = backend.get_password(service, user) == secret
        backend.delete_password(service, user)
        gone = backend.get_password(service, user) is None
    except Exception as exc:
        return {"backend": name, "can_store": False,
                "detail": f"storing a test entry failed ({type(exc).__name__}: {exc})"}
    ok = stored and gone
    return {"backend": name, "can_store": ok,
            "detail": "stored, read back and deleted a test entry" if ok
            else "a test entry did not read back as stored"}


def _data() -> dict:
    folder = data_dir()
    usage = shutil.disk_usage(folder)
    return {"folder": str(folder), "free_gb": round(usage.free / 2**30, 1)}


def _model() -> dict:
    try:
        path = embedded_model_path()
        return {"path": str(path), "size_mb": round(path.stat().st_size / 2**20, 1), "error": None}
    except Exception as exc:
        return {"path": None, "size_mb": None, "error": getattr(exc, "message", str(exc))}


def _memory() -> dict:
    """The facts the model library judges "fits this machine" by (desktop/core/library/machine)."""
    ram, vram = total_ram(), gpu_memory()
    return {"ram_gb": round(ram / 2**30, 1) if ram else None,
            "vram_gb": round(vram / 2**30, 1) if vram else None,
            "vram_source": (VRAM_ENV if os.environ.get(VRAM_ENV) else "nvidia-smi") if vram else None,
            "model_budget_gb": round(ram * RAM_SHARE / 2**30, 1) if ram else None}


def report() -> dict:
    return {
        "sidebyside": __version__,
        "os": {"system": platform.system(), "release": platform.release(),
               "platform": platform.platform()},
        "python": {"version": platform.python_version(), "executable": sys.executable},
        "qt": _qt(),
        "cpu": _cpu(),
        "memory": _memory(),
        "llama_cpp": _llama(),
        "threads": _threads(),
        "safe_mode": _safe_mode(),
        "keyring": _keyring(),
        "data": _data(),
        "embedded_model": _model(),
    }


def _memory_line(m: dict) -> str:
    if not m["ram_gb"]:
        return "unknown (the model library cannot say what fits)"
    gpu = f", GPU {m['vram_gb']} GB (from {m['vram_source']})" if m["vram_gb"] else ", no GPU found"
    return (f"{m['ram_gb']} GB RAM{gpu}; a model up to {m['model_budget_gb']} GB fits "
            "(models list/search/files say so per file)")


def format_text(r: dict) -> str:
    llama, cpu, threads, safe = r["llama_cpp"], r["cpu"], r["threads"], r["safe_mode"]
    gpu = ("no GPU offload compiled in (CPU only)" if llama["gpu_offload"] is False
           else "GPU offload compiled in" if llama["gpu_offload"] else "unknown")
    lines = [
        f"Side by Side {r['sidebyside']}",
        f"OS              {r['os']['platform']}",
        f"Python          {r['python']['version']} ({r['python']['executable']})",
        f"Qt              PySide6 {r['qt']['pyside6'] or 'not installed'}, platform "
        f"{r['qt']['platform'] or 'none'} ({r['qt']['platform_source']})",
        f"CPU             {cpu['model']} ({cpu['architecture']}), {cpu['physical_cores']} "
        f"physical / {cpu['logical_cores']} logical cores",
        f"CPU features    {' '.join(cpu['features']) or 'none of note'}",
        f"Memory          {_memory_line(r['memory'])}",
        f"llama-cpp-python {llama['version'] or 'not installed'}",
        f"  backends      {', '.join(llama['backends'])}; {gpu}",
        f"  system info   {llama['system_info'] or '-'}",
    ]
    if llama["error"]:
        lines.append(f"  problem       {llama['error']}")
    if cpu["amx_advertised"] and "AMX" in (llama["system_info"] or ""):
        lines.append("  note          this CPU advertises AMX and the build has AMX kernels; "
                     "where they fault (some VMs) the app switches to safe mode by itself")
    lines += [
        f"Threads         {threads['how']}",
        f"  override      {threads['override']}",
        f"Safe mode       {'on' if safe['on'] else 'off'}: {safe['why']}"
        + (f" (since {safe['since']})" if safe["on"] else ""),
        f"Keyring         {r['keyring']['backend'] or 'none'}: "
        f"{'can store keys' if r['keyring']['can_store'] else 'cannot store keys'} "
        f"({r['keyring']['detail']})",
        f"Data folder     {r['data']['folder']} ({r['data']['free_gb']} GB free)",
        f"Embedded model  {r['embedded_model']['path'] or r['embedded_model']['error']}",
    ]
    return "\n".join(lines)
