"""Raw llama-cpp-python on the embedded model: the reference every local figure is held to."""

from __future__ import annotations

import json

from bench.common import run_python

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
