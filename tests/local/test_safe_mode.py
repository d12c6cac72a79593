"""Safe mode on real llama.cpp: a worker that dies on its first batch is retried once in safe
mode, which is remembered for this build and CPU; a crash in safe mode too reads plainly.

The crash is forced with SIDEBYSIDE_TEST_CRASH_FIRST_BATCH, which makes the worker kill itself
with SIGSEGV on its first batch the way a faulting AMX kernel does ("1": unless in safe mode;
"always": in safe mode too). The worker's environment is the app's, so setting it here reaches
the worker.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from desktop.core.contenders.answer import EV_STATUS
from desktop.core.local import learned, safe_mode
from desktop.core.local.worker import CRASH_ENV
from tests.local.test_local_engine import answer


def notices(events) -> list[str]:
    return [s.message for type_, _, s in events if type_ == EV_STATUS and s.state == "announce"]


def test_first_batch_crash_is_retried_in_safe_mode_remembered_and_said_once(
        tiny_model, monkeypatch, local_pool):
    monkeypatch.setenv(CRASH_ENV, "1")
    result, events = answer(f"local:{tiny_model}", max_tokens=6, n_ctx=256, n_threads=1,
                             pool=local_pool)
    assert result.error is None, result.error
    assert result.output_tokens and result.finish_reason in ("stop", "length")
    assert notices(events) == [safe_mode.NOTICE], "said once, plainly"
    (worker,) = local_pool.workers()  # the crashed worker is gone; the one left runs in safe mode
    assert worker.settings.safe_mode
    entry = safe_mode.remembered()
    assert entry and "SIGSEGV" in entry["reason"]
    assert learned.path().is_file()

    # A fresh start (no warm worker): safe mode from the first prompt, no crash, no notice.
    local_pool.shutdown()
    result, events = answer(f"local:{tiny_model}", max_tokens=6, n_ctx=256, n_threads=1,
                             pool=local_pool)
    assert result.error is None and not notices(events)
    (worker,) = local_pool.workers()
    assert worker.settings.safe_mode and worker.pid


def test_crash_in_safe_mode_too_says_what_happened_and_what_helps(tiny_model, monkeypatch, local_pool):
    monkeypatch.setenv(CRASH_ENV, "always")
    result, events = answer(f"local:{tiny_model}", max_tokens=6, n_ctx=256, n_threads=1,
                             pool=local_pool)
    message = result.error.message
    assert result.error.kind == "crash" and "SIGSEGV" in message
    assert "safe mode" in message and "will not help" in message
    assert "sidebyside doctor" in message and "another model file" in message
    assert "README" in message
    assert "send the prompt again" not in message.lower() and "Traceback" not in message
    assert not notices(events) and safe_mode.remembered() is None


def test_machines_where_the_fast_path_works_keep_it(tiny_model, local_pool):
    # Here the fast path works (no forced crash). On a machine whose build faults in its fast
    # kernels it would not, and safe mode must then be on, remembered and said: either way the
    # fast path is kept exactly when it works.
    result, events = answer(f"local:{tiny_model}", max_tokens=6, n_ctx=256, n_threads=1,
                             pool=local_pool)
    assert result.error is None
    (worker,) = local_pool.workers()
    fast_path_crashed = bool(notices(events))
    assert worker.settings.safe_mode == fast_path_crashed
    assert (safe_mode.remembered() is not None) == fast_path_crashed


LOAD_VERBOSE = r"""
import sys, llama_cpp, llama_cpp.llama_cpp as capi
from desktop.core.local.worker import with_safe_mode
defaults = capi.llama_model_default_params
capi.llama_model_default_params = lambda: with_safe_mode(defaults(), sys.argv[2] == "safe")
llama_cpp.Llama(sys.argv[1], n_ctx=64, n_threads=1, verbose=True)
"""


def test_safe_mode_loads_without_extra_buffer_types(tmp_path):
    """What safe mode changes, seen in llama.cpp's own load log: Q4_0 weights are repacked into
    an extra buffer (CPU_REPACK, or AMX on a CPU with AMX) for the fast kernels, never in safe
    mode."""
    import llama_cpp

    from tests.local.tiny_gguf import write_tiny_gguf

    model = write_tiny_gguf(tmp_path / "tiny-q4_0.gguf", n_embd=64, q4_0=True)

    def buffers(mode: str) -> list[str]:
        run = subprocess.run([sys.executable, "-c", LOAD_VERBOSE, str(model), mode],
                             capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr[-2000:]
        return [line for line in run.stderr.splitlines() if "model buffer size" in line]

    fast, safe = buffers("fast"), buffers("safe")
    extra = ("REPACK", "AMX")
    assert not [line for line in safe if any(e in line for e in extra)], safe
    if "REPACK = 1" in llama_cpp.llama_print_system_info().decode():
        assert [line for line in fast if any(e in line for e in extra)], fast


def test_ask_on_both_sides_answers_and_tells_once_on_stderr(tiny_model, fresh_home):
    env = {**os.environ, CRASH_ENV: "1", "SIDEBYSIDE_HOME": str(fresh_home)}
    args = [sys.executable, "-m", "desktop", "ask", "Hello there.", "--left",
            f"local:{tiny_model}", "--right", f"local:{tiny_model}", "--json", "--n-ctx", "256",
            "--max-tokens", "6", "--threads", "1", "--no-save"]
    for run_number in (1, 2):
        run = subprocess.run(args, capture_output=True, text=True, timeout=240, env=env)
        assert run.returncode == 0, run.stderr
        result = json.loads(run.stdout)
        assert all(result[side]["error"] is None for side in ("left", "right")), result
        told = run.stderr.count("now runs in safe mode")
        assert told == (1 if run_number == 1 else 0), run.stderr
