"""Is there a display the window can open on? Asked before QApplication is created, because
Qt ends the process (SIGABRT, exit 134, "Reinstalling the application may fix this problem")
when its platform plugin finds no display, and that cannot be caught.

Linux only: Qt picks `QT_QPA_PLATFORM` when set, else Wayland when the session says so and a
Wayland socket is named, else X11 (xcb). A platform that needs no display (offscreen, minimal,
vnc, eglfs, linuxfb) is always fine. macOS and Windows always have one.
"""

from __future__ import annotations

import os
import sys

# Platforms that draw without a desktop session.
HEADLESS_PLATFORMS = frozenset({"offscreen", "minimal", "vnc", "eglfs", "linuxfb", "vkkhrdisplay"})

NO_DISPLAY = (
    "the window cannot open: {missing}. The command line works without one: try "
    "`sidebyside ask --help` or `sidebyside --help`. To use the window, run it in a desktop "
    "session, over `ssh -X`, or under a virtual display (`xvfb-run sidebyside`; Debian/Ubuntu: "
    "`sudo apt install xvfb`). On X11 Qt also needs the package libxcb-cursor0."
)


def missing_display(environ: dict[str, str] | None = None, platform: str | None = None) -> str:
    """What is missing for the window to open ('' when nothing is), in words for NO_DISPLAY."""
    env = os.environ if environ is None else environ
    if not (platform or sys.platform).startswith("linux"):
        return ""
    chosen = (env.get("QT_QPA_PLATFORM") or "").split(":", 1)[0].split(";", 1)[0].strip().lower()
    x11, wayland = bool(env.get("DISPLAY")), bool(env.get("WAYLAND_DISPLAY"))
    runtime = env.get("XDG_RUNTIME_DIR")
    wants_wayland = chosen.startswith("wayland") or env.get("XDG_SESSION_TYPE") == "wayland"
    if not wayland and wants_wayland and runtime \
            and os.path.exists(os.path.join(runtime, "wayland-0")):
        wayland = True  # Qt's Wayland plugin falls back to the default socket, wayland-0
    if chosen in HEADLESS_PLATFORMS:
        return ""
    if chosen == "xcb" and not x11:
        return "QT_QPA_PLATFORM is xcb (X11) but DISPLAY is not set, so there is no X display"
    if chosen.startswith("wayland") and not wayland:
        return "QT_QPA_PLATFORM is wayland but WAYLAND_DISPLAY is not set"
    if not chosen and not (x11 or wayland):
        return "no display was found (neither DISPLAY nor WAYLAND_DISPLAY is set)"
    return ""


def no_display_message(environ: dict[str, str] | None = None) -> str:
    missing = missing_display(environ)
    return NO_DISPLAY.format(missing=missing) if missing else ""
