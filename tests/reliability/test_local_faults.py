"""Local model faults: bad files, impossible settings, and a worker killed at the worst moments.

For each: a plain error (no traceback, the file or numbers named), and the next prompt works.
"""

from __future__ import annotations

import os
import signal

import numpy as np
import pytest

from desktop.core.contenders.answer import EV_DELTA, EV_STATUS
from desktop.core.contenders.base import CancelToken
from desktop.core.battle.engine import run_contender
from desktop.core.local.workers import WorkerPool
from desktop.core.contenders.params import GenerationParams, Request
from desktop.core.battle.specs import make_contender
from tests.local.tiny_gguf import write_tiny_gguf


@pytest.fixture(autouse=True)
def no_workers_left_behind():
    yield
    WorkerPool.shutdown_every_pool()


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return write_tiny_gguf(tmp_path_factory.mktemp("m") / "tiny.gguf")


def ask(spec: str, emit=None, **params):
    params.setdefault("max_tokens", 4)
    with WorkerPool() as pool:  # the caller's workers, as a command owns them
        return run_contender(make_contender(spec, local_pool=pool),
                             Request("Say hello.", GenerationParams(**params)),
                             CancelToken(), emit or (lambda *a: None))


def assert_plain(error, *must_contain: str):
    assert error is not None
    assert "Traceback" not in error.message and "File \"" not in error.message
    for text in must_contain:
        assert text in error.message, error.message


def assert_next_prompt_works(spec="local", **params):
    result = ask(spec, **params)
    assert result.error is None and result.output_tokens, result.error


def unsupported_architecture(path):
    import gguf

    writer = gguf.GGUFWriter(str(path), "nosucharch")
    writer.add_name("odd")
    writer.add_tensor("weights", np.zeros(16, dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


@pytest.mark.parametrize("case", ["missing", "garbage", "truncated", "unsupported_architecture",
                                  "empty_file", "a_folder"])
def test_bad_model_files(case, tmp_path, tiny):
    path = tmp_path / f"{case}.gguf"
    if case == "garbage":
        path.write_bytes(os.urandom(100_000))
    elif case == "truncated":
        path.write_bytes(tiny.read_bytes()[: tiny.stat().st_size * 2 // 3])
    elif case == "unsupported_architecture":
        unsupported_architecture(path)
    elif case == "empty_file":
        path.write_bytes(b"")
    elif case == "a_folder":
        path.mkdir()
    result = ask(f"local:{path}")
    expected = "model_not_found" if case in ("missing", "a_folder") else "model_load"
    assert result.error.kind == expected
    assert_plain(result.error, str(path))
    if case == "unsupported_architecture":
        assert "nosucharch" in result.error.message
    assert_next_prompt_works(f"local:{tiny}", n_ctx=256)


@pytest.mark.parametrize("model", ["tiny", "embedded"])
def test_context_too_large_to_allocate(model, tiny):
    # Refused before loading, with the numbers: trying would summon the out-of-memory killer.
    spec = f"local:{tiny}" if model == "tiny" else "local"
    result = ask(spec, n_ctx=1_000_000_000)
    assert result.error.kind == "model_load"
    assert_plain(result.error, "1,000,000,000", "n_ctx", "GB")
    assert not WorkerPool.every_worker(), "no worker was started for an impossible context"
    assert_next_prompt_works(f"local:{tiny}", n_ctx=256)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGSEGV])
def test_worker_killed_while_loading(sig):
    def kill_on_load_progress(type_, text, status):
        if type_ == EV_STATUS and status.state == "loading" and (status.progress or 0) > 0:
            for worker in WorkerPool.every_worker():
                if worker.alive():
                    os.kill(worker.pid, sig)

    result = ask("local", emit=kill_on_load_progress)
    assert result.error is not None and result.error.kind in ("crash", "model_load")
    assert_plain(result.error, signal.Signals(sig).name)
    assert_next_prompt_works()


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGSEGV])
def test_worker_killed_while_answering(sig):
    ask("local", max_tokens=2)  # a warm worker

    def kill_on_first_text(type_, text, status):
        if type_ == EV_DELTA:
            for worker in WorkerPool.every_worker():
                if worker.alive():
                    os.kill(worker.pid, sig)

    result = ask("local", emit=kill_on_first_text, max_tokens=400)
    assert result.error.kind == "crash" and result.text
    assert_plain(result.error, signal.Signals(sig).name, "Send the prompt again")
    assert_next_prompt_works()
