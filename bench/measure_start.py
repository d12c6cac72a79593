"""Target 4: process start to the main window's first paint, against a bare two-pane PySide6 window.

Both are measured the same way, alternating, many times: the parent notes the monotonic clock
(system-wide on Linux) just before it starts a fresh interpreter; the child notes it when its
main window's first paint event begins and exits at once. The app is started through its
console script, as a user starts it: `sidebyside` with no arguments (figure 4a) and
`sidebyside gui --left local --right local` (4b), so the script's own imports, argument
parsing, settings and everything `gui` does before `show()` is counted. Each app start is
paired with a bare start just before it. The child also reports which heavy modules
were already imported at that moment (the target allows none unless they cost nothing).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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

# The reference issue 21 names: a bare two-pane window, as little as shows two answers side by
# side (two text panes in a splitter), with none of the app's own code.
BARE = _REPORT + r"""
from PySide6.QtWidgets import QApplication, QMainWindow, QSplitter, QTextBrowser

class Window(QMainWindow):
    paintEvent = _first_paint(QMainWindow.paintEvent)

app = QApplication(sys.argv[:1])
window = Window()
window.setWindowTitle("bare")
panes = QSplitter()
panes.addWidget(QTextBrowser())
panes.addWidget(QTextBrowser())
window.setCentralWidget(panes)
window.resize(1280, 820)
window.show()
app.exec()
"""

# The app is started through its console script (`sidebyside`, as a user starts it). The
# window class is wrapped as soon as its module is loaded, by an import hook in a
# `sitecustomize` on PYTHONPATH; the bare window starts with the same hook (never triggered),
# so both pay for it alike.
_HOOK = _REPORT + r"""

class _WatchMainWindow:
    # A meta path finder: when desktop.gui.main_window loads, wrap MainWindow.paintEvent.
    def find_spec(self, name, path=None, target=None):
        if name != "desktop.gui.main_window":
            return None
        sys.meta_path.remove(self)
        import importlib.util
        spec = importlib.util.find_spec(name)
        run = spec.loader.exec_module

        def exec_module(module):
            run(module)
            module.MainWindow.paintEvent = _first_paint(module.MainWindow.paintEvent)

        spec.loader.exec_module = exec_module
        return spec

sys.meta_path.insert(0, _WatchMainWindow())
"""

BARE_CODE = BARE.replace(_REPORT, "import sys\nfrom sitecustomize import _first_paint\n")

# (figure id, what it is, the console script's arguments)
APP_STARTS = (
    ("4a_start", "no arguments", []),
    ("4b_start_local_local", "gui --left local --right local",
     ["gui", "--left", "local", "--right", "local"]),
)


def console_script() -> str:
    """The `sidebyside` script installed beside this interpreter (pip's console script)."""
    script = Path(sys.executable).parent / "sidebyside"
    return str(script) if script.exists() else shutil.which("sidebyside") or "sidebyside"


def _start_ms(command: list[str], env: dict) -> tuple[float, list[str]]:
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, env=env, cwd=ROOT)
    if done.returncode != 0 or not done.stdout.strip():
        raise RuntimeError(done.stderr[-2000:] or "the window never painted")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return (report["painted_at"] - started) * 1000, report["heavy"]


def measure(quick: bool = False) -> list[Figure]:
    hook = Path(tempfile.mkdtemp(prefix="sidebyside-bench-hook-"))
    (hook / "sitecustomize.py").write_text(_HOOK)
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(hook), os.environ.get("PYTHONPATH")]))}
    # Bytecode as an installed app has it (pip compiles on install): a stale cache would make
    # every start compile the changed modules again when bytecode writing is turned off.
    subprocess.run([sys.executable, "-m", "compileall", "-q", "desktop", str(hook)], cwd=ROOT,
                   check=True, capture_output=True)
    bare_command = [sys.executable, "-c", BARE_CODE]
    app_commands = [[console_script(), *args] for _, _, args in APP_STARTS]
    rounds = 3 if quick else 25
    for command in (bare_command, *app_commands):  # warm the file and bytecode caches first
        _start_ms(command, env)
    bare: list[float] = []
    apps: list[list[float]] = [[] for _ in APP_STARTS]
    heavy: list[set] = [set() for _ in APP_STARTS]
    for _ in range(rounds):
        for i, command in enumerate(app_commands):
            # Each app start right after a bare start: the machine's speed drifts.
            bare.append(_start_ms(bare_command, env)[0])
            ms, seen = _start_ms(command, env)
            apps[i].append(ms)
            heavy[i].update(seen)
    shutil.rmtree(hook, ignore_errors=True)
    figures = []
    for i, (figure_id, what, _args) in enumerate(APP_STARTS):
        paired_bare = bare[i::len(APP_STARTS)]
        ratio = statistics.median(apps[i]) / statistics.median(paired_bare)
        paired = statistics.median(a / b for a, b in zip(apps[i], paired_bare))
        figures.append(Figure(
            figure_id, f"process start to main window painted, `sidebyside {what}` vs a bare "
            "two-pane PySide6 window (medians)",
            ratio, "× bare", "≤ 1.5", ratio <= 1.5,
            {"app_ms": _summary(apps[i]), "bare_ms": _summary(paired_bare), "samples": rounds,
             "median_of_paired_ratios": round(paired, 3),
             "heavy_imported_before_paint": sorted(heavy[i])},
        ))
    return figures


def _summary(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {"median": round(statistics.median(ordered), 1), "min": round(ordered[0], 1),
            "max": round(ordered[-1], 1)}
