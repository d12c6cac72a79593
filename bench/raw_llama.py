"""Raw llama-cpp-python on the embedded model: the reference every local figure is held to."""

from __future__ import annotations

import json
import subprocess
import sys

from bench.common import ROOT, run_python

PROMPT = "Write a detailed story about a lighthouse keeper and a storm."

_RAW = r"""
import json, sys, time
import llama_cpp
from desktop.core.local.models import embedded_model_path
threads, max_tokens, prompt = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
llm = llama_cpp.Llama(str(embedded_model_path()), n_ctx=4096, n_threads=threads,
                      n_threads_batch=threads, verbose=False)
messages = [{"role": "user", "content": prompt}]
best = None
for _ in range(int(sys.argv[4])):
    llm.reset()
    start = time.perf_counter(); first = None; n = 0
    for chunk in llm.create_chat_completion(messages, max_tokens=max_tokens, stream=True,
                                            temperature=0.0, seed=1):
        if chunk["choices"][0]["delta"].get("content"):
            n += 1
            if first is None:
                first = time.perf_counter()
    end = time.perf_counter()
    rate = (n - 1) / (end - first) if n > 1 else 0.0
    best = max(best or 0.0, rate)
print(json.dumps({"tokens_per_s": best, "tokens": n, "ttft_s": first - start}))
"""


def raw_tokens_per_s(threads: int, max_tokens: int = 200, repeats: int = 2) -> dict:
    """Tokens per second of raw llama-cpp-python streaming a chat completion (best of repeats)."""
    return json.loads(run_python(_RAW, str(threads), str(max_tokens), PROMPT, str(repeats)))


# One process, the model loaded once per thread count, a generation per request on stdin: the
# paired bench alternates raw and app rounds without reloading the model each time. Each line
# out: the rate (as above), the tokens and the CPU seconds the whole process spent on it
# (every llama.cpp thread, prompt included), as the app's worker is charged.
_RAW_SERVE = r"""
import json, sys, time
import llama_cpp
from desktop.core.local.models import embedded_model_path
prompt = sys.argv[1]
models = {}
messages = [{"role": "user", "content": prompt}]
print("ready", flush=True)
for line in sys.stdin:
    threads, max_tokens = (int(x) for x in line.split())
    if threads not in models:
        models[threads] = llama_cpp.Llama(str(embedded_model_path()), n_ctx=4096,
                                          n_threads=threads, n_threads_batch=threads,
                                          verbose=False)
    llm = models[threads]
    llm.reset()
    cpu = time.process_time(); start = time.perf_counter(); first = None; n = 0
    for chunk in llm.create_chat_completion(messages, max_tokens=max_tokens, stream=True,
                                            temperature=0.0, seed=1):
        if chunk["choices"][0]["delta"].get("content"):
            n += 1
            if first is None:
                first = time.perf_counter()
    end = time.perf_counter(); cpu = time.process_time() - cpu
    rate = (n - 1) / (end - first) if n > 1 else 0.0
    print(json.dumps({"tokens_per_s": rate, "tokens": n, "cpu_s": cpu,
                      "ttft_s": first - start, "total_s": end - start}), flush=True)
"""


class RawLlama:
    """Raw llama-cpp-python in a process of its own, answering `generate(threads, max_tokens)`."""

    def __enter__(self) -> "RawLlama":
        self.process = subprocess.Popen([sys.executable, "-c", _RAW_SERVE, PROMPT],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                        cwd=ROOT)
        if self.process.stdout.readline().strip() != "ready":
            raise RuntimeError("raw llama-cpp-python did not start")
        return self

    def generate(self, threads: int, max_tokens: int) -> dict:
        self.process.stdin.write(f"{threads} {max_tokens}\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("raw llama-cpp-python ended")
        return json.loads(line)

    def __exit__(self, *exc) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
