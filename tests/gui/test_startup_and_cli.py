"""Start-up stays light, the `gui` command is wired, and GGUF files on disk are found."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

# The pickers read the provider registry (light declarations) to draw; what made providers
# heavy, httpx and TLS, loads only when a request is made, and the Hub's client only for the
# model library.
HEAVY = ("llama_cpp", "httpx", "ssl", "numpy", "huggingface_hub", "desktop.core.stats",
         "desktop.core.local.client")

PROBE = textwrap.dedent("""
    import json, sys
    from desktop.gui.app import make_app
    from desktop.gui import settings_store
    from desktop.gui.main_window import MainWindow
    from PySide6.QtCore import QTimer
    app = make_app()
    window = MainWindow(settings_store.load())
    window.show()
    seen = {}
    def painted():
        seen["at_paint"] = sorted(m for m in %(heavy)r if m in sys.modules)
        QTimer.singleShot(0, done)
    def done():
        pass
        window.close()
        app.quit()
    QTimer.singleShot(0, painted)
    app.exec()
    print(json.dumps(seen))
""") % {"heavy": HEAVY}


def test_nothing_heavy_is_imported_to_open_the_window(gui_home, tmp_path):
    env = {**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                            env=env, timeout=120, cwd=Path(__file__).resolve().parents[2])
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    # After the first paint a worker thread imports them on purpose (desktop/gui/warm_up.py).
    assert seen["at_paint"] == []


def test_gui_command_opens_the_window_with_the_given_contenders(monkeypatch):
    from desktop.cli import build_parser, main

    calls = []
    monkeypatch.setattr("desktop.gui.app.run", lambda left, right, reasoning=None:
                        calls.append((left, right, reasoning)) or 0)
    assert main(["gui", "--left", "local", "--right", "openai:gpt-4o-mini"]) == 0
    assert main([]) == 0  # no command: the window
    assert main(["gui", "--reasoning", "low"]) == 0
    assert calls == [("local", "openai:gpt-4o-mini", None), (None, None, None),
                     (None, None, "low")]
    assert main(["gui", "--left", "nonsense"]) == 2
    assert build_parser().parse_args(["gui"]).command == "gui"


def test_gguf_files_are_found_where_other_apps_keep_them(tmp_path, monkeypatch):
    from desktop.core.library.gguf_scan import scan

    monkeypatch.delenv("HF_HOME", raising=False)  # the Hub cache under this test's home

    def gguf(path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"GGUF" + b"\0" * 16)
        return path

    home = tmp_path
    gguf(home / ".lmstudio/models/org/repo/model-q4.gguf")
    gguf(home / ".local/share/nomic.ai/GPT4All/orca-mini.gguf")
    (home / ".cache/lm-studio/models/fake.gguf").parent.mkdir(parents=True)
    (home / ".cache/lm-studio/models/fake.gguf").write_bytes(b"not a model")
    blob = gguf(home / ".cache/huggingface/hub/models--Org--Tiny-GGUF/blobs/abc123")
    snap = home / ".cache/huggingface/hub/models--Org--Tiny-GGUF/snapshots/rev/tiny.Q4.gguf"
    snap.parent.mkdir(parents=True)
    snap.symlink_to(blob)
    gguf(home / ".ollama/models/blobs/sha256-deadbeef")
    manifest = home / ".ollama/models/manifests/registry.ollama.ai/library/llama3.2/3b"
    manifest.parent.mkdir(parents=True)
    manifest.write_text(json.dumps({"layers": [
        {"mediaType": "application/vnd.ollama.image.model", "digest": "sha256:deadbeef"},
    ]}), encoding="utf-8")

    found = {(m.source, m.name) for m in scan(home)}
    assert found == {
        ("LM Studio", "model-q4"),
        ("GPT4All", "orca-mini"),
        ("Hugging Face", "tiny.Q4 (Org/Tiny-GGUF)"),
        ("Ollama", "llama3.2:3b"),
    }


def test_the_collector_is_off_while_the_window_starts_and_on_again_after(monkeypatch):
    """Start-up makes objects by the hundred thousand and almost no cyclic garbage: the window
    starts with the collector off, and it is on again once the window is up (after its first
    paint's warm-up) or has closed, whichever comes first, even when opening it fails."""
    import gc

    from desktop.cli import main
    from desktop.gui import main_window

    seen = []

    def window(left, right, reasoning=None):
        seen.append(gc.isenabled())
        main_window._freeze_heap()  # what the window does once warm-up after its paint is done
        seen.append(gc.isenabled())
        gc.disable()  # as if the window closed before that: the command turns it on anyway
        return 0

    monkeypatch.setattr("desktop.gui.app.run", window)
    assert gc.isenabled()
    assert main([]) == 0
    assert seen == [False, True] and gc.isenabled()

    def broken(left, right, reasoning=None):
        raise RuntimeError("the window failed")

    monkeypatch.setattr("desktop.gui.app.run", broken)
    try:
        main(["gui"])  # reported as a failure, or raised: either way the collector is back
    except RuntimeError:
        pass
    assert gc.isenabled()
