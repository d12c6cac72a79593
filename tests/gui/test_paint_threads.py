"""The window paints on its own thread only: Qt's pool of paint helper threads would wake for
each large fill (a scroll bar's gradient, every frame while an answer streams), each wake-up
taking a core from a local model answering beside the window."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# A fill as large as a pane's scroll bar groove and more, then the process's thread names.
_PAINT = r"""
import json, os, sys
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QLinearGradient, QPainter
if sys.argv[1] == "app":
    from desktop.gui.app import make_app
    app = make_app()
else:
    from PySide6.QtWidgets import QApplication
    app = QApplication([])
image = QImage(600, 800, QImage.Format.Format_ARGB32_Premultiplied)
painter = QPainter(image)
gradient = QLinearGradient(0, 0, 600, 0)
gradient.setColorAt(0, QColor("white"))
gradient.setColorAt(1, QColor("gray"))
painter.fillRect(QRectF(0, 0, 600, 800), gradient)
painter.end()
print(json.dumps([open(f"/proc/self/task/{t}/comm").read().strip()
                  for t in os.listdir("/proc/self/task")]))
"""


def _threads_after_a_fill(how: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k != "QT_NO_GUI_THREADPOOL"}
    env["QT_QPA_PLATFORM"] = "offscreen"
    done = subprocess.run([sys.executable, "-c", _PAINT, how], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_app_fills_on_its_own_thread():
    assert not [name for name in _threads_after_a_fill("app") if "pooled" in name]


def test_a_plain_qt_application_would_wake_helper_threads_for_the_same_fill():
    # The probe above sees what it looks for: without the app's setting, Qt starts its pool.
    assert [name for name in _threads_after_a_fill("plain") if "pooled" in name]
