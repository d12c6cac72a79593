"""The line protocol between the app and a llama.cpp worker: one JSON object per line.

App -> worker (stdin):
    {"op": "load", "path", "n_ctx", "n_threads", "n_threads_batch", "n_gpu_layers", "safe_mode"}
                                                       first, once
    {"op": "generate", "id", "messages", "temperature", "top_p", "max_tokens", "seed",
     "reasoning", "n_threads"?, "calibrate"?: [thread counts], "max_threads"?}
                                                       reasoning: off|low|medium|high or null
    {"op": "stop", "id"}
Worker -> app (stdout):
    {"ev": "progress", "p": 0.0..1.0}                  while loading
    {"ev": "loaded", "model", "n_ctx", "n_ctx_train"}
    {"ev": "calibrated", "id", "best", "tokens_per_s"}  when asked to measure thread counts
    {"ev": "started", "id", "prompt_tokens", "cached_tokens", "n_threads", "note"?}
                                                       prompt checked, generation begins; a note
                                                       when the template has no reasoning switch
    {"ev": "thought", "id", "text"}                    thinking, split off the output's think tags
    {"ev": "delta", "id", "text"}                      answer text (batched: a few ms)
    {"ev": "done", "id", "finish_reason", "prompt_tokens", "output_tokens", "thinking_tokens",
     "cached_tokens"}                                  output_tokens counts thinking tokens too
    {"ev": "error", "id"?, "kind", "message"}          "id" absent for load errors
The worker exits when its stdin closes, so it never outlives the app.
"""

from __future__ import annotations

import json
from typing import IO, Any


def send(stream: IO[str], message: dict[str, Any]) -> None:
    stream.write(json.dumps(message, ensure_ascii=False) + "\n")
    stream.flush()
