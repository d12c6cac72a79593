"""Is there a display the window can open on? Asked before QApplication is created, because
Qt ends the process (SIGABRT, exit 134, "Reinstalling the application may fix this problem")
when its platform plugin finds no display, and that cannot be caught.

Linux only: Qt picks `QT_QPA_PLATFORM` when set, else Wayland when a Wayland socket is named,
else X11 (xcb). A platform that needs no display (offscreen, minimal, vnc, eglfs, linuxfb) is
always fine. macOS and Windows always have one. Three things are checked, cheaply and without
loading Qt: that a display is named; that something answers at it (a connect to the X server's
socket, or the Wayland socket exists), since a stale DISPLAY=:99 aborts Qt just the same; and,
for X11, that libxcb-cursor (which Qt's xcb plugin needs since Qt 6.5) loads.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping

# Platforms that draw without a desktop session.
HEADLESS_PLATFORMS = frozenset({"offscreen", "minimal", "vnc", "eglfs", "linuxfb", "vkkhrdisplay",
                                "minimalegl"})

NO_DISPLAY = (
    "the window cannot open: {missing}. The command line works without one: try "
    "`sidebyside ask --help` or `sidebyside --help`. To use the window, run it in a desktop "
    "session, over `ssh -X`, or under a virtual display (`xvfb-run sidebyside`; Debian/Ubuntu: "
    "`sudo apt install xvfb`). On X11 Qt also needs the package libxcb-cursor0."
)
NO_XCB_CURSOR = (
    "the window cannot open: Qt's X11 support needs the library libxcb-cursor, which is not "
    "installed. Install it (Debian/Ubuntu: `sudo apt install libxcb-cursor0`; Fedora: "
    "`sudo dnf install xcb-util-cursor`) and try again. The command line works without it: "
    "`sidebyside --help`."
)
# DISPLAY: [host]:number[.screen]; an empty host (or "unix") is the local socket.
_X_DISPLAY = re.compile(r"^(?P<host>[^:]*):(?P<number>\d+)(?:\.\d+)?$")


def x_server_answers(display: str, timeout_s: float = 2.0) -> bool:
    """Does an X server accept a connection at DISPLAY? A form this cannot read (a launchd
    path) counts as yes: Qt is left to decide."""
    # deferred: socket (with selectors, ~3 ms) is needed only for an X11 display, not for
    # Wayland or a headless platform, and this check runs before the window's first paint
    import socket  # noqa: PLC0415

    match = _X_DISPLAY.match(display)
    if not match:
        return True
    host, number = match["host"], int(match["number"])
    if host in ("", "unix"):
        path = f"/tmp/.X11-unix/X{number}"
        targets = [(socket.AF_UNIX, path), (socket.AF_UNIX, "\0" + path)]  # file, abstract
    else:
        targets = [(socket.AF_INET6 if ":" in host else socket.AF_INET, (host, 6000 + number))]
    for family, address in targets:
        try:
            with socket.socket(family, socket.SOCK_STREAM) as probe:
                probe.settimeout(timeout_s)
                probe.connect(address)
                return True
        except OSError:
            continue
    return False


def wayland_socket_exists(env: Mapping[str, str], default: str = "") -> bool:
    """Is there a Wayland socket at WAYLAND_DISPLAY (or at `default`, the name Qt's Wayland
    plugin falls back to when none is set: wayland-0)?"""
    name = env.get("WAYLAND_DISPLAY", "") or default
    path = name if name.startswith("/") else os.path.join(env.get("XDG_RUNTIME_DIR", ""), name)
    return bool(name) and os.path.exists(path)


def missing_display(environ: Mapping[str, str] | None = None, platform: str | None = None) -> str:
    """What is missing for the window to open ('' when nothing is), in words for NO_DISPLAY."""
    env = os.environ if environ is None else environ
    if not (platform or sys.platform).startswith("linux"):
        return ""
    chosen = (env.get("QT_QPA_PLATFORM") or "").split(":", 1)[0].split(";", 1)[0].strip().lower()
    x11, wayland = env.get("DISPLAY", ""), env.get("WAYLAND_DISPLAY", "")
    if chosen in HEADLESS_PLATFORMS:
        return ""
    wants_wayland = chosen.startswith("wayland") or (
        not chosen and env.get("XDG_SESSION_TYPE") == "wayland")
    wayland_found = wayland_socket_exists(env, "wayland-0" if wants_wayland else "")
    if chosen.startswith("wayland"):
        if wayland_found:
            return ""
        if not wayland:
            return "QT_QPA_PLATFORM is wayland but WAYLAND_DISPLAY is not set"
        return f"WAYLAND_DISPLAY is {wayland}, but no Wayland compositor is running there"
    if not chosen and wayland_found:
        return ""  # Qt takes Wayland
    if not x11:
        if chosen == "xcb":
            return "QT_QPA_PLATFORM is xcb (X11) but DISPLAY is not set, so there is no X display"
        return "no display was found (neither DISPLAY nor WAYLAND_DISPLAY is set)"
    if chosen in ("", "xcb") and not x_server_answers(x11):
        return f"DISPLAY is {x11}, but no X server answers there"
    return ""


def no_display_message(environ: Mapping[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    missing = missing_display(env)
    if missing:
        return NO_DISPLAY.format(missing=missing)
    chosen = (env.get("QT_QPA_PLATFORM") or "xcb").split(":", 1)[0].strip().lower()
    if (sys.platform.startswith("linux") and chosen == "xcb" and env.get("DISPLAY")
            and not wayland_socket_exists(env)
            and not xcb_cursor_loads()):
        return NO_XCB_CURSOR
    return ""


def xcb_cursor_loads() -> bool:
    """Can libxcb-cursor be loaded, as Qt's xcb plugin will load it (the same dlopen search)?"""
    # deferred: ctypes (~2 ms) is needed only for an X11 display, before the window's first paint
    import ctypes  # noqa: PLC0415

    try:
        ctypes.CDLL("libxcb-cursor.so.0")
    except OSError:
        return False
    return True
