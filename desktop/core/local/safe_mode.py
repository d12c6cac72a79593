"""Safe mode: load the model without the build's risky fast paths.

Some llama.cpp builds crash on some CPUs the moment a model evaluates its first batch: a build
made on (or for) a CPU that advertises AMX runs its AMX matrix kernels on repacked weights, and
in some virtual machines the tile instructions fault (SIGSEGV in `ggml_backend_amx_mul_mat`).
Loading the model with `use_extra_bufts = False` (no extra buffer types: no weight repacking, so
no AMX or other repacked kernels) avoids it at a small cost in speed.

The app keeps the fast path wherever it works. When a freshly loaded worker dies on its first
batch, the request is retried once in safe mode; if that answers, safe mode is remembered for this
build and CPU (`learned.py`) and said once, plainly. Later prompts start in safe mode directly.
"""

from __future__ import annotations

from datetime import datetime, timezone

from desktop.core.local import learned

NOTICE = (
    "The local model crashed on this machine with llama.cpp's fast CPU kernels (a known problem "
    "of some builds on some CPUs), so it now runs in safe mode: a little slower, but it answers. "
    "`sidebyside doctor` shows the details."
)


def remembered() -> dict | None:
    """{"since", "reason"} when this build and CPU need safe mode, else None."""
    entry = learned.for_this_build().get("safe_mode")
    return entry if isinstance(entry, dict) else None


def remember(reason: str) -> bool:
    """Note that this build and CPU need safe mode; False when it was already noted (two local
    sides crashing at once): the notice is shown by whoever noted it first, once."""

    def change(entry: dict) -> bool:
        if isinstance(entry.get("safe_mode"), dict):
            return False
        entry["safe_mode"] = {
            "since": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "reason": reason,
        }
        return True

    return learned.update_this_build(change)


def unrecoverable_message(exit_description: str) -> str:
    return (
        f"The local model's worker process crashed ({exit_description}) as soon as the model "
        "began to compute, both with llama.cpp's fast CPU kernels and in safe mode. This is a "
        "problem of this llama.cpp build on this machine, or of this model file: sending the "
        "prompt again will not help. Run `sidebyside doctor` to see the build and CPU, try "
        "another model file, or reinstall llama-cpp-python with another build command from the "
        "README (for example without the cached wheel: pip install --force-reinstall "
        "--no-cache-dir llama-cpp-python)."
    )
