"""No display, beyond an unset DISPLAY (tests/reliability/test_trust.py has that): a DISPLAY that
names an X server which is not there (a stale `:99` after Xvfb ended, a dropped `ssh -X`
forward) also gets the plain message and exit 1, never Qt's abort (exit 134). Real processes,
since the exit status is the point."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.reliability.support import REPO, assert_plain, cli_command


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11 is Linux's here")
@pytest.mark.parametrize("display", [":4711", "127.0.0.1:59"])
def test_a_display_where_no_x_server_answers_is_said_plainly(display):
    env = {k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["DISPLAY"] = display
    done = subprocess.run(cli_command(), capture_output=True, text=True, cwd=REPO, env=env,
                          timeout=120)
    assert done.returncode == 1, (done.returncode, done.stderr[-500:])
    assert f"DISPLAY is {display}, but no X server answers there" in done.stderr
    assert "command line works without one" in done.stderr and "xvfb" in done.stderr
    assert "Reinstalling" not in done.stderr
    assert_plain(done.stderr)
