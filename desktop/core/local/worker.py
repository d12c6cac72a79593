"""The llama.cpp worker process: loads one GGUF and answers prompts over stdin/stdout.

Runs apart from the app so that llama.cpp's failures (an aborting assert, a segfault, the OOM
killer) end this process, never the app. Invariants:
- stdout carries only protocol lines: C-level output is redirected to stderr before llama.cpp
  loads, so a stray print can never corrupt the protocol.
- It never outlives the app: on Linux the kernel sends SIGKILL when the parent dies
  (PR_SET_PDEATHSIG); everywhere, stdin reaching EOF ends the process at once.
- One thread only ever touches the `Llama` object (two threads sharing one abort the process);
  the reader thread only sets stop flags, which llama.cpp polls through its abort callback, so a
  stop lands within milliseconds even during prompt processing.
- The abort callback is a C function (libc's `strlen` on a two-byte flag), not a Python one:
  ggml calls it after every graph node, hundreds of times per token, and a Python callback
  there (a GIL round trip each time) cost several percent of the model's speed.
- Safe mode (`"safe_mode": true` in the load request) loads without extra buffer types: no
  weight repacking, so none of the build's repacked (AMX, ...) kernels; see safe_mode.py.
- This module is the process and its loop; how an answer's text is split and batched lives in
  worker_output.py, thread counts (set and timed) in worker_threads.py. None of them imports
  llama.cpp at module level, so the worker starts light and loads it only with the model.
"""

from __future__ import annotations

import codecs
import ctypes
import json
import os
import queue
import signal
import sys
import threading
from pathlib import Path

from desktop.core.local.models import read_gguf_architecture
from desktop.core.local.protocol import send
from desktop.core.local.worker_output import Outbox, thinking_setup, thinking_splitter
from desktop.core.local.worker_threads import calibrate_threads, set_threads

_stop_ids: set[str] = set()
_requests: "queue.Queue[dict]" = queue.Queue()
_current: dict = {"id": None}
# The abort flag llama.cpp polls: byte 0 is 1 while the current request should stop, byte 1 is
# always 0, so strlen() of it is 0 or 1 (see _install_abort).
_abort_flag = ctypes.create_string_buffer(2)
# Tests only: make the worker die as llama.cpp does on a CPU whose fast kernels fault.
# "1": die with SIGSEGV on the first batch unless in safe mode; "always": in safe mode too.
CRASH_ENV = "SIDEBYSIDE_TEST_CRASH_FIRST_BATCH"


def _die_with_parent(parent_pid: int) -> None:
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            PR_SET_PDEATHSIG = 1
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except Exception:
            pass  # stdin EOF still ends us
    if parent_pid and os.getppid() != parent_pid:
        os._exit(0)  # the parent died before we could ask to follow it


def _read_stdin() -> None:
    for line in sys.stdin:
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if message.get("op") == "stop":
            _stop_ids.add(message.get("id"))
            if message.get("id") == _current.get("id"):
                _abort_flag[0] = 1
        else:
            _requests.put(message)
    os._exit(0)  # the app closed our stdin or died: end now, mid-generation or not


def _protocol_stdout():
    """Keep the real stdout for protocol lines and point fd 1 at stderr for everyone else."""
    out = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return out


def with_safe_mode(params, safe_mode: bool):
    """Model params for safe mode: no extra buffer types, so no weight repacking and none of
    the repacked (AMX, AVX2, ARM) kernels that some builds fault in on some CPUs."""
    if safe_mode and hasattr(params, "use_extra_bufts"):
        params.use_extra_bufts = False
    return params


def _load(out, request: dict):
    import llama_cpp  # noqa: PLC0415
    from llama_cpp import llama_cpp as capi  # noqa: PLC0415

    def on_progress(progress: float, _data) -> bool:
        send(out, {"ev": "progress", "p": round(float(progress), 3)})
        return True

    # Llama() builds its own model params; wrap the factory so they carry our progress callback.
    callback = capi.llama_progress_callback(on_progress)
    original_defaults = capi.llama_model_default_params

    def defaults_with_progress():
        params = original_defaults()
        params.progress_callback = callback
        return with_safe_mode(params, bool(request.get("safe_mode")))

    capi.llama_model_default_params = defaults_with_progress
    try:
        llm = llama_cpp.Llama(
            model_path=request["path"],
            n_ctx=int(request["n_ctx"]),
            n_threads=int(request["n_threads"]),
            n_threads_batch=int(request.get("n_threads_batch") or request["n_threads"]),
            n_gpu_layers=int(request.get("n_gpu_layers") or 0),
            verbose=False,
        )
    finally:
        capi.llama_model_default_params = original_defaults
    llm._sidebyside_progress_callback = callback  # keep the C callback alive
    return llm


def _model_name(llm, path: str) -> str:
    name = llm.metadata.get("general.name") or Path(path).stem
    return str(name)


def _install_abort(llm) -> None:
    """Let a stop request interrupt llama.cpp between graph nodes, prompt processing included.

    The callback must be cheap: ggml calls it after every node of every graph. `strlen` takes
    one pointer and returns 0 or 1 on our flag, exactly a `bool (*)(void *)` abort callback."""
    from llama_cpp import llama_cpp as capi  # noqa: PLC0415

    try:
        libc = ctypes.CDLL(None) if sys.platform != "win32" else ctypes.cdll.msvcrt
        strlen = ctypes.cast(libc.strlen, ctypes.c_void_p).value
        callback = ctypes.cast(strlen, capi.ggml_abort_callback)
        capi.llama_set_abort_callback(llm._ctx.ctx, callback, ctypes.addressof(_abort_flag))
        llm._sidebyside_abort_callback = callback
    except Exception:
        pass  # without it a stop waits for the next token, which is still prompt


def _format_prompt(llm, messages: list[dict], template_vars: dict | None = None
                   ) -> tuple[list[int], list[str], str]:
    """(prompt tokens, stop strings, the prompt as text)."""
    template = llm.metadata.get("tokenizer.chat_template")
    if template:
        from llama_cpp import llama_chat_format  # noqa: PLC0415  (jinja2: only for such a template)

        eos_id, bos_id = llm.token_eos(), llm.token_bos()
        eos = llm._model.token_get_text(eos_id) if eos_id != -1 else ""
        bos = llm._model.token_get_text(bos_id) if bos_id != -1 else ""
        formatted = llama_chat_format.Jinja2ChatFormatter(template=template, eos_token=eos, bos_token=bos)(
            messages=messages, **(template_vars or {})
        )
        stops = formatted.stop or []
        stops = [stops] if isinstance(stops, str) else list(stops)
        tokens = llm.tokenize(
            formatted.prompt.encode("utf-8"), add_bos=not formatted.added_special, special=True
        )
        return tokens, [s for s in stops if s], formatted.prompt
    # No template in the GGUF: plain text completion.
    text = "\n\n".join(m["content"] for m in messages) + "\n\n"
    return llm.tokenize(text.encode("utf-8"), add_bos=True, special=False), [], text


def _is_end(llm, token: int) -> bool:
    from llama_cpp import llama_cpp as capi  # noqa: PLC0415

    try:
        return bool(capi.llama_vocab_is_eog(llm._model.vocab, token))
    except Exception:
        return token == llm.token_eos()


def _first_batch_hook(safe_mode: bool) -> None:
    """Tests only (CRASH_ENV): die the way a faulting llama.cpp kernel kills the worker."""
    mode = os.environ.get(CRASH_ENV, "")
    if mode == "always" or (mode and not safe_mode):
        os.kill(os.getpid(), signal.SIGSEGV)


def _generate(out, llm, request: dict, state: dict) -> None:
    req_id = request["id"]
    _current["id"] = req_id
    _abort_flag[0] = 1 if req_id in _stop_ids else 0
    try:
        if not state["evaluated"]:
            state["evaluated"] = True
            _first_batch_hook(state["safe_mode"])
        if request.get("calibrate"):
            calibration = calibrate_threads(llm, [int(n) for n in request["calibrate"]])
            send(out, {"ev": "calibrated", "id": req_id, **calibration})
            cap = int(request.get("max_threads") or calibration["best"])
            set_threads(llm, min(calibration["best"], cap))
        elif request.get("n_threads"):
            set_threads(llm, int(request["n_threads"]))
        template_vars, note = thinking_setup(llm, request.get("reasoning"))
        prompt_tokens, stops, prompt_text = _format_prompt(
            llm, request["messages"], template_vars)
        outbox = Outbox(out, req_id, thinking_splitter(llm, prompt_text))
        max_tokens = int(request.get("max_tokens") or 512)
        n_ctx = llm.n_ctx()
        if len(prompt_tokens) + max_tokens > n_ctx:
            send(out, {
                "ev": "error", "id": req_id, "kind": "context_length",
                "message": (
                    f"The prompt is {len(prompt_tokens):,} tokens and up to {max_tokens:,} more "
                    f"were asked for, which is over the model's context of {n_ctx:,} tokens "
                    "(n_ctx). Nothing was sent to the model. Shorten the prompt, lower max "
                    "tokens, raise n_ctx, or start a new conversation (Ctrl+N in the window): "
                    "every turn of a conversation carries the earlier ones."
                ),
            })
            return
        # llama.cpp keeps the KV cache of the previous request; `generate` (reset=True) evaluates
        # only the part of this prompt after the longest prefix it shares with what is cached.
        # A follow-up turn extends the previous prompt and answer, so most of it is cached.
        cached = _cached_prefix(llm, prompt_tokens)
        send(out, {"ev": "started", "id": req_id, "prompt_tokens": len(prompt_tokens),
                   "cached_tokens": cached, "n_threads": int(llm.context_params.n_threads),
                   **({"note": note} if note else {})})
        if request.get("seed") is not None:
            llm.set_seed(int(request["seed"]))
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        text_so_far = ""
        output_tokens = 0
        finish = "length"
        try:
            for token in llm.generate(
                prompt_tokens,
                temp=float(request.get("temperature", 0.7)),
                top_p=float(request.get("top_p", 0.95)),
                reset=True,
            ):
                if req_id in _stop_ids:
                    finish = "cancelled"
                    break
                if _is_end(llm, token):
                    finish = "stop"
                    break
                output_tokens += 1
                piece = decoder.decode(llm.detokenize([token]))
                if piece:
                    text_so_far += piece
                    hit = _first_stop(text_so_far, stops)
                    if hit is not None:
                        piece = piece[: max(0, len(piece) - (len(text_so_far) - hit))]
                        outbox.feed(piece)
                        finish = "stop"
                        break
                outbox.feed(piece)
                if output_tokens >= max_tokens:
                    finish = "length"
                    break
        except Exception:
            if req_id not in _stop_ids:
                raise
            finish = "cancelled"  # the abort callback interrupted llama.cpp
            llm.reset()
        outbox.close()  # what the splitter held back, and what waited for the next batch
        send(out, {
            "ev": "done", "id": req_id, "finish_reason": finish,
            "prompt_tokens": len(prompt_tokens), "output_tokens": output_tokens,
            "thinking_tokens": outbox.splitter.thinking_pieces,
            "cached_tokens": cached,
        })
    except Exception as exc:
        if req_id in _stop_ids:  # stopped while calibrating: not a failure
            llm.reset()
            send(out, {"ev": "done", "id": req_id, "finish_reason": "cancelled",
                       "prompt_tokens": 0, "output_tokens": 0})
            return
        send(out, {
            "ev": "error", "id": req_id, "kind": "crash",
            "message": f"The local model failed while answering ({type(exc).__name__}: {exc}).",
        })
    finally:
        _current["id"] = None
        _abort_flag[0] = 0
        _stop_ids.discard(req_id)


def _cached_prefix(llm, tokens: list[int]) -> int:
    """How many leading tokens of `tokens` are already in the KV cache (what llama-cpp-python's
    `generate` will skip; at most one token short of the prompt, which it re-evaluates)."""
    cached = 0
    for held, wanted in zip(llm._input_ids[: llm.n_tokens], tokens):
        if held != wanted:
            break
        cached += 1
    return cached


def _first_stop(text: str, stops: list[str]) -> int | None:
    positions = [text.find(s) for s in stops if s in text]
    return min(positions) if positions else None


def _load_failure(exc: Exception, request: dict) -> str:
    """A plain explanation of why llama.cpp could not load the model."""
    path = request.get("path", "")
    detail = str(exc).strip() or type(exc).__name__
    if "context" in detail.lower():
        return (
            f"The model {Path(path).name} loaded, but llama.cpp could not set up a context of "
            f"{int(request.get('n_ctx', 0)):,} tokens (n_ctx): there is not enough memory for it. "
            "Lower n_ctx (4096 suits most prompts) and try again."
        )
    architecture = read_gguf_architecture(Path(path))
    if architecture:
        return (
            f"Could not load the model file {path}. Its architecture is '{architecture}'; if "
            "this version of llama.cpp does not support it, choose another GGUF file. The file "
            f"may also be damaged or incomplete (llama.cpp said: {detail})."
        )
    return (
        f"Could not load the model file {path}: llama.cpp could not read it as a GGUF model "
        f"({detail}). The file may be damaged, incomplete or of an unsupported architecture; "
        "choose another GGUF file."
    )


def main() -> int:
    parent_pid = int(os.environ.get("SIDEBYSIDE_PARENT_PID", "0") or 0)
    _die_with_parent(parent_pid)
    out = _protocol_stdout()
    threading.Thread(target=_read_stdin, name="stdin", daemon=True).start()
    load_request = _requests.get()
    path = load_request.get("path", "")
    try:
        llm = _load(out, load_request)
    except Exception as exc:
        send(out, {"ev": "error", "kind": "model_load", "message": _load_failure(exc, load_request)})
        return 3
    send(out, {
        "ev": "loaded", "model": _model_name(llm, path), "n_ctx": llm.n_ctx(),
        "n_ctx_train": llm._model.n_ctx_train(),
    })
    _install_abort(llm)
    state = {"evaluated": False, "safe_mode": bool(load_request.get("safe_mode"))}
    while True:
        request = _requests.get()
        if request.get("op") == "generate":
            _generate(out, llm, request, state)
        elif request.get("op") == "count":  # how long a conversation is, before sending it
            tokens, _, _ = _format_prompt(llm, request["messages"])
            send(out, {"ev": "counted", "id": request.get("id"), "tokens": len(tokens),
                       "n_ctx": llm.n_ctx()})


if __name__ == "__main__":
    sys.exit(main())
