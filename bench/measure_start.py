"""Target 4: process start to the main window's first paint, against a bare PySide6 window.

Both are measured the same way, alternating, many times: the parent notes the monotonic clock
(system-wide on Linux) just before it starts a fresh interpreter; the child notes it when its
main window's first paint event begins and exits at once. The app is started through
its real entry point (`sidebyside`, i.e. `desktop.cli.main([])`), so argument parsing, settings
and everything `gui` does before `show()` is counted. The child also reports which heavy modules
were already imported at that moment (the target allows none unless they cost nothing).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time

from bench.common import ROOT, Figure

# The pickers read the provider registry (light declarations); httpx, TLS and the Hub's client
# load only when used.
HEAVY = ("llama_cpp", "httpx", "ssl", "numpy", "huggingface_hub", "desktop.core.stats",
         "desktop.core.local.client")

# Reports the start of the main window's first paint (a Python paintEvent on the window class,
# the same in both, so that no event filter sees every event of every widget), then ends the
# process at once without tearing Qt down.
_REPORT = r"""
import json, os, sys, time

def _first_paint(paint):
    def paintEvent(self, event):
        at = time.monotonic()
        heavy = sorted(m for m in %(heavy)r if m in sys.modules)
        sys.stdout.write(json.dumps({"painted_at": at, "heavy": heavy}) + "\n")
        sys.stdout.flush()
        os._exit(0)
    return paintEvent
""" % {"heavy": HEAVY}

BARE = _REPORT + r"""
from PySide6.QtWidgets import QApplication, QMainWindow

class Window(QMainWindow):
    paintEvent = _first_paint(QMainWindow.paintEvent)

app = QApplication(sys.argv[:1])
window = Window()
window.setWindowTitle("bare")
window.resize(1280, 820)
window.show()
app.exec()
"""

# The real entry point; the window class is wrapped as soon as the window module is imported
# (right after the QApplication is made, which is when `desktop.gui.app.run` imports it).
APP = _REPORT + r"""
import desktop.gui.app as _gui_app
_make_app = _gui_app.make_app

def _make_app_watched(*args, **kwargs):
    app = _make_app(*args, **kwargs)
    from desktop.gui import main_window
    main_window.MainWindow.paintEvent = _first_paint(main_window.MainWindow.paintEvent)
    return app

_gui_app.make_app = _make_app_watched
from desktop.cli import main
main([])
"""


def _start_ms(code: str, env: dict) -> tuple[float, list[str]]:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, env=env, cwd=ROOT)
    if done.returncode != 0 or not done.stdout.strip():
        raise RuntimeError(done.stderr[-2000:] or "the window never painted")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return (report["painted_at"] - started) * 1000, report["heavy"]


def measure(quick: bool = False) -> list[Figure]:
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    # Bytecode as an installed app has it (pip compiles on install): a stale cache would make
    # every start compile the changed modules again when bytecode writing is turned off.
    subprocess.run([sys.executable, "-m", "compileall", "-q", "desktop"], cwd=ROOT, check=True,
                   capture_output=True)
    rounds = 3 if quick else 25
    for code in (BARE, APP):  # warm the file cache and the bytecode caches first
        _start_ms(code, env)
    bare, app, heavy = [], [], set()
    for _ in range(rounds):
        bare.append(_start_ms(BARE, env)[0])
        ms, seen = _start_ms(APP, env)
        app.append(ms)
        heavy.update(seen)
    bare_median, app_median = statistics.median(bare), statistics.median(app)
    ratio = app_median / bare_median
    # Each app start is paired with the bare start just before it: the machine's speed drifts.
    paired = statistics.median(a / b for a, b in zip(app, bare))
    return [Figure(
        "4_start", "process start to main window painted, app vs bare PySide6 window (medians)",
        ratio, "× bare", "≤ 1.5", ratio <= 1.5,
        {"app_ms": _summary(app), "bare_ms": _summary(bare), "samples": rounds,
         "median_of_paired_ratios": round(paired, 3),
         "heavy_imported_before_paint": sorted(heavy)},
    )]


def _summary(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {"median": round(statistics.median(ordered), 1), "min": round(ordered[0], 1),
            "max": round(ordered[-1], 1)}
