"""The double-click bundle: built with PyInstaller, moved out of the source tree, then used.

Building takes about a minute, so the bundle is built once per session run and shared.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.reliability.support import wait_until

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def moved_bundle(tmp_path_factory, request) -> Path:
    work = tmp_path_factory.mktemp("bundle-build")
    started = time.monotonic()
    build = subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
         "--distpath", str(work / "dist"), "--workpath", str(work / "build"),
         str(ROOT / "packaging" / "sidebyside.spec")],
        cwd=ROOT, capture_output=True, text=True, timeout=1200,
    )
    assert build.returncode == 0, build.stderr[-4000:]
    elsewhere = tmp_path_factory.mktemp("somewhere-else") / "sidebyside"
    shutil.move(str(work / "dist" / "sidebyside"), elsewhere)  # outside the source tree
    shutil.rmtree(work)
    size_mb = sum(f.stat().st_size for f in elsewhere.rglob("*")
                  if f.is_file() and not f.is_symlink()) / 1e6
    _report(request, f"bundle: {size_mb:.0f} MB on disk, built in {time.monotonic() - started:.0f} s")
    return elsewhere


def bundle_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["SIDEBYSIDE_HOME"] = str(home)
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def test_moved_bundle_answers_from_the_cli(moved_bundle, tmp_path):
    exe = moved_bundle / "sidebyside"
    run = subprocess.run([str(exe), "ask", "Say hello.", "--left", "local", "--right", "local",
                          "--json", "--max-tokens", "16"],
                         cwd=tmp_path, env=bundle_env(tmp_path / "home"), capture_output=True,
                         text=True, timeout=180)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    for side in ("left", "right"):
        assert result[side]["text"].strip() and result[side]["output_tokens"] > 0
    version = subprocess.run([str(exe), "--version"], capture_output=True, text=True, timeout=60)
    assert version.returncode == 0 and "Side by Side" in version.stdout


def test_moved_bundle_knows_every_provider_and_pulls_models(moved_bundle, tmp_path):
    exe = moved_bundle / "sidebyside"
    env = {**bundle_env(tmp_path / "home"), "OLLAMA_HOST": "127.0.0.1:9",
           "LMSTUDIO_BASE_URL": "http://127.0.0.1:9/v1", "HF_HOME": str(tmp_path / "hf")}

    def run(*args: str) -> dict:
        done = subprocess.run([str(exe), *args], cwd=tmp_path, env=env, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    # The provider registry finds its modules inside the frozen archive too.
    keyed = {row["provider"] for row in run("keys", "list", "--json")["keys"]}
    assert {"openai", "anthropic", "gemini", "huggingface"} <= keyed
    assert len(run("models", "search", "--json")["models"]) >= 10  # catalogue.json shipped
    assert run("models", "list", "--json") == {"models": []}
    # huggingface_hub, which imports its parts lazily, works frozen: a pull from a stand-in Hub.
    from tests.library.fake_hub import HubFile, HubRepo, running_fake_hub

    data = b"GGUF" + bytes(range(256)) * 64
    with running_fake_hub() as hub:
        hub.add(HubRepo("tiny-org/Tiny-GGUF", [HubFile("tiny-Q8_0.gguf", data)]))
        env["HF_ENDPOINT"] = hub.url
        files = run("models", "files", "tiny-org/Tiny-GGUF", "--json")["files"]
        assert [(f["file"], f["quant"]) for f in files] == [("tiny-Q8_0.gguf", "Q8_0")]
        pulled = run("models", "pull", "tiny-org/Tiny-GGUF", "tiny-Q8_0.gguf", "--json")
    assert pulled["verified"] and Path(pulled["path"]).read_bytes() == data


def _report(request, line: str) -> None:
    """Show a figure in the test run's output (CI's log), captured or not."""
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if capture is None or reporter is None:
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line(line)


def _visible_window() -> bool:
    found = subprocess.run(["xdotool", "search", "--onlyvisible", "--class", "sidebyside"],
                           capture_output=True, text=True)
    return bool(found.stdout.split())


def test_moved_bundle_opens_the_window_and_stays_up(moved_bundle, tmp_path, request):
    exe = moved_bundle / "sidebyside"
    env = bundle_env(tmp_path / "home")
    on_screen = bool(os.environ.get("DISPLAY")) and shutil.which("xdotool") is not None
    if on_screen:
        env.pop("QT_QPA_PLATFORM")  # a real window on the (virtual) screen, timed until it shows
    started = time.monotonic()
    app = subprocess.Popen([str(exe)], cwd=tmp_path, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        if on_screen:
            wait_until(lambda: app.poll() is not None or _visible_window(), timeout=60,
                       what="the bundle's window on screen")
            assert app.poll() is None, "the app ended before showing its window"
            shown_s = time.monotonic() - started
            _report(request, f"bundle start: window on screen {shown_s:.2f} s after launch")
        with pytest.raises(subprocess.TimeoutExpired):
            app.wait(timeout=5)  # still running after a few seconds: the window stays up
    finally:
        app.terminate()
        out, err = app.communicate(timeout=30)
    assert "Traceback" not in err, err[-3000:]


def test_desktop_entry_validates_and_points_at_the_installed_bundle(moved_bundle, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / ".local" / "share")}
    install = subprocess.run(["bash", str(ROOT / "packaging" / "install.sh"), str(moved_bundle)],
                             env=env, capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, install.stderr
    entry = home / ".local" / "share" / "applications" / "sidebyside.desktop"
    check = subprocess.run(["desktop-file-validate", str(entry)], capture_output=True, text=True)
    assert check.returncode == 0 and not check.stdout.strip(), check.stdout + check.stderr
    lines = dict(line.split("=", 1) for line in entry.read_text().splitlines() if "=" in line)
    installed = home / ".local" / "opt" / "sidebyside" / "sidebyside"
    assert lines["Exec"] == str(installed) and os.access(installed, os.X_OK)
    assert lines["StartupWMClass"] == "sidebyside"
    assert (home / ".local/share/icons/hicolor/256x256/apps/sidebyside.png").is_file()
    uninstall = subprocess.run(["bash", str(ROOT / "packaging" / "uninstall.sh")], env=env,
                               capture_output=True, text=True, timeout=60)
    assert uninstall.returncode == 0 and not entry.exists() and not installed.exists()
