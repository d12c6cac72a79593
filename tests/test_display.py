"""Which displays count as there, asked before Qt loads (desktop/cli/display.py). These tests do
not require Qt: a real listening socket stands in for an X server (what the probe connects to)
and a real file for a Wayland socket."""

from __future__ import annotations

import socket

import pytest

from desktop.cli.display import missing_display


@pytest.fixture
def x_server():
    """A TCP listener where X display N would be (port 6000 + N); yields the DISPLAY value."""
    for number in range(150, 250):
        listener = socket.socket()
        try:
            listener.bind(("127.0.0.1", 6000 + number))
        except OSError:
            listener.close()
            continue
        listener.listen()
        with listener:
            yield f"127.0.0.1:{number}.0"
        return
    pytest.fail("no free port for a stand-in X server")


def test_an_x_display_counts_only_while_a_server_answers_there(x_server):
    env = {"DISPLAY": x_server}
    assert missing_display(env, "linux") == ""
    assert missing_display({"DISPLAY": ":4711"}, "linux") == \
        "DISPLAY is :4711, but no X server answers there"


def test_wayland_counts_when_its_socket_exists_named_or_by_default(tmp_path):
    (tmp_path / "wayland-0").touch()
    runtime = str(tmp_path)
    assert missing_display({"XDG_SESSION_TYPE": "wayland", "XDG_RUNTIME_DIR": runtime},
                           "linux") == ""
    assert missing_display({"QT_QPA_PLATFORM": "wayland", "WAYLAND_DISPLAY": "wayland-0",
                            "XDG_RUNTIME_DIR": runtime}, "linux") == ""
    assert "no Wayland compositor" in missing_display(
        {"QT_QPA_PLATFORM": "wayland", "WAYLAND_DISPLAY": "wayland-9",
         "XDG_RUNTIME_DIR": runtime}, "linux")
    assert "neither DISPLAY nor WAYLAND_DISPLAY" in missing_display({"XDG_RUNTIME_DIR": runtime},
                                                                    "linux")


def test_headless_platforms_and_other_systems_need_no_display():
    assert missing_display({"QT_QPA_PLATFORM": "offscreen"}, "linux") == ""
    assert missing_display({}, "darwin") == ""
    assert "DISPLAY is not set" in missing_display({"QT_QPA_PLATFORM": "xcb"}, "linux")
