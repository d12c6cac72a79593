"""What the app has learned about this machine's llama.cpp build, kept in the data folder.

One small JSON file (`local_engine.json`) keyed by `machine.build_key()`, so that a different
build or CPU (a new venv, a GPU build, the data folder copied to another machine) starts fresh:

    {"<build key>": {"safe_mode": {"since": ISO time, "reason": str},
                     "threads": {"<model bucket>": {"best": int, "tokens_per_s": {...}}}}}

A missing, unreadable or damaged file means "nothing learned yet": it is never an error.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

from desktop.core.base.paths import data_dir
from desktop.core.base.safe_write import write_text_atomic
from desktop.core.local.build_info import build_key

FILE_NAME = "local_engine.json"
_lock = threading.Lock()


def path() -> Path:
    return data_dir() / FILE_NAME


def _read_all() -> dict:
    try:
        data = json.loads(path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def for_this_build() -> dict:
    entry = _read_all().get(build_key())
    return entry if isinstance(entry, dict) else {}


def update_this_build(change) -> bool:
    """Apply `change(entry)` to this build's entry and write the file atomically; `change`
    returns False when there is nothing to change (then False is returned and nothing written).
    """
    with _lock:
        data = _read_all()
        entry = data.get(build_key())
        entry = entry if isinstance(entry, dict) else {}
        if change(entry) is False:
            return False
        data[build_key()] = entry
        target = path()
        try:
            write_text_atomic(target, json.dumps(data, indent=1), force=True)
        except OSError:
            pass  # not remembered: the app learns it again next time, nothing breaks
        return True
