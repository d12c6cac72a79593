"""`sidebyside doctor [--json]`: the fields a bug report needs, with and without a keyring."""

from __future__ import annotations

import io
import json
import os
import sys
from contextlib import redirect_stdout

import keyring
import pytest
from keyring.backends import fail

from desktop.cli import main
from desktop.core.local import safe_mode


def doctor(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(["doctor", *args])
    return code, out.getvalue()


def test_doctor_json_has_every_field(fresh_home):
    code, out = doctor("--json")
    assert code == 0
    r = json.loads(out)
    assert r["os"]["system"] and r["python"]["version"] == ".".join(map(str, sys.version_info[:3]))
    assert r["qt"]["pyside6"] and r["qt"]["platform"] == os.environ["QT_QPA_PLATFORM"]
    cpu = r["cpu"]
    assert cpu["model"] and cpu["logical_cores"] >= cpu["physical_cores"] >= 1
    assert isinstance(cpu["features"], list) and isinstance(cpu["amx_advertised"], bool)
    llama = r["llama_cpp"]
    assert llama["version"] and llama["error"] is None
    assert "CPU" in llama["system_info"] and llama["backends"][0] == "CPU"
    assert isinstance(llama["gpu_offload"], bool)
    threads = r["threads"]
    assert threads["how"] and threads["max_threads"] >= 1 and "--threads" in threads["override"]
    assert r["safe_mode"] == {
        "on": False, "since": None,
        "why": "llama.cpp's fast path has not crashed with this build on this CPU"}
    assert r["keyring"]["can_store"] is True  # the tests' in-memory keyring stores for real
    assert r["data"]["folder"] == str(fresh_home) and r["data"]["free_gb"] > 0
    assert r["embedded_model"]["path"].endswith(".gguf")
    memory = r["memory"]  # what the model library's "fits" is judged by
    assert memory["ram_gb"] > 0 and memory["model_budget_gb"] < memory["ram_gb"]


def test_doctor_reports_the_gpu_memory_the_model_library_counts(fresh_home, monkeypatch):
    from desktop.core.library.memory import VRAM_ENV, this_machine

    monkeypatch.setenv(VRAM_ENV, "24")
    code, out = doctor("--json")
    memory = json.loads(out)["memory"]
    assert code == 0 and memory["vram_gb"] == 24.0 and memory["vram_source"] == VRAM_ENV
    assert this_machine().vram_bytes == 24 * 2**30  # the same fact the library's fit reads
    code, out = doctor()
    assert "GPU 24.0 GB" in out


def test_doctor_text_names_each_part_and_shows_safe_mode(fresh_home):
    safe_mode.remember("llama.cpp's fast path crashed on the first batch (signal SIGSEGV)")
    code, out = doctor()
    assert code == 0
    for label in ("OS", "Python", "Qt", "CPU", "CPU features", "Memory", "llama-cpp-python",
                  "backends",
                  "system info", "Threads", "Safe mode", "Keyring", "Data folder",
                  "Embedded model"):
        assert any(line.lstrip().startswith(label) for line in out.splitlines()), label
    assert "Safe mode       on: llama.cpp's fast path crashed" in out
    assert str(fresh_home) in out


def test_doctor_without_a_keyring_says_so_and_still_works():
    keyring.set_keyring(fail.Keyring())
    code, out = doctor("--json")
    assert code == 0
    r = json.loads(out)["keyring"]
    assert r["can_store"] is False and "environment" in r["detail"]
    code, out = doctor()
    assert code == 0 and "cannot store keys" in out


def test_doctor_with_the_real_keyring_stores_and_removes_a_test_entry():
    try:
        from keyring.backends import SecretService

        backend = SecretService.Keyring() if SecretService.Keyring.priority > 0 else None
    except Exception:
        backend = None
    if backend is None:
        if os.environ.get("CI"):
            pytest.fail("CI must provide a Secret Service (gnome-keyring under dbus-run-session).")
        pytest.skip("no Secret Service reachable (run under scripts/test.sh)")
    keyring.set_keyring(backend)
    code, out = doctor("--json")
    r = json.loads(out)["keyring"]
    assert code == 0 and r["can_store"] is True and "SecretService" in r["backend"]
    assert "deleted" in r["detail"]
