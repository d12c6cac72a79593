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

from desktop.core.local.protocol import send

_stop_ids: set[str] = set()
_requests: "queue.Queue[dict]" = queue.Queue()


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
        else:
            _requests.put(message)
    os._exit(0)  # the app closed our stdin or died: end now, mid-generation or not


def _protocol_stdout():
    """Keep the real stdout for protocol lines and point fd 1 at stderr for everyone else."""
    out = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return out


def _load(out, request: dict):
    import llama_cpp
    import llama_cpp.llama_cpp as capi

    def on_progress(progress: float, _data) -> bool:
        send(out, {"ev": "progress", "p": round(float(progress), 3)})
        return True

    # Llama() builds its own model params; wrap the factory so they carry our progress callback.
    callback = capi.llama_progress_callback(on_progress)
    original_defaults = capi.llama_model_default_params

    def defaults_with_progress():
        params = original_defaults()
        params.progress_callback = callback
        return params

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


def _install_abort(llm, current: dict) -> None:
    """Let a stop request interrupt llama.cpp between graph nodes, prompt processing included."""
    import llama_cpp.llama_cpp as capi

    def should_abort(_data) -> bool:
        return current.get("id") in _stop_ids

    callback = capi.ggml_abort_callback(should_abort)
    try:
        capi.llama_set_abort_callback(llm._ctx.ctx, callback, None)
        llm._sidebyside_abort_callback = callback
    except Exception:
        pass  # without it a stop waits for the next token, which is still prompt


def _format_prompt(llm, messages: list[dict], template_vars: dict | None = None
                   ) -> tuple[list[int], list[str], str]:
    """(prompt tokens, stop strings, the prompt as text)."""
    template = llm.metadata.get("tokenizer.chat_template")
    if template:
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        eos_id, bos_id = llm.token_eos(), llm.token_bos()
        eos = llm._model.token_get_text(eos_id) if eos_id != -1 else ""
        bos = llm._model.token_get_text(bos_id) if bos_id != -1 else ""
        formatted = Jinja2ChatFormatter(template=template, eos_token=eos, bos_token=bos)(
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
    import llama_cpp.llama_cpp as capi

    try:
        return bool(capi.llama_vocab_is_eog(llm._model.vocab, token))
    except Exception:
        return token == llm.token_eos()


def _thinking_setup(llm, reasoning: str | None) -> tuple[dict, str | None]:
    """Template variables for the reasoning setting (its `enable_thinking` switch), and a note
    when the template has none."""
    from desktop.core.reasoning import template_switches

    return template_switches(llm.metadata.get("tokenizer.chat_template"), reasoning)


def _thinking_splitter(llm, prompt_text: str):
    """A splitter for the think tags the template declares, started inside the thinking when
    the rendered prompt already opened it (DeepSeek-R1 style templates)."""
    from desktop.core.thinking import ThinkSplitter, opens_thinking, tags_from_template

    tags = tags_from_template(llm.metadata.get("tokenizer.chat_template"))
    return ThinkSplitter(tags, opens_thinking(prompt_text, tags))


def _send_split(out, req_id: str, splitter, piece: str | None) -> None:
    """One token's text, through the splitter: thinking and answer go out as separate events.
    Called for every token, an empty piece included, so the splitter counts thinking tokens;
    None at the end sends what the splitter held back."""
    from desktop.core.contenders.base import Thought

    for item in splitter.feed(piece) if piece is not None else splitter.close():
        if isinstance(item, Thought):
            send(out, {"ev": "thought", "id": req_id, "text": item.text})
        else:
            send(out, {"ev": "delta", "id": req_id, "text": item})


def _generate(out, llm, request: dict, current: dict) -> None:
    req_id = request["id"]
    current["id"] = req_id
    try:
        template_vars, note = _thinking_setup(llm, request.get("reasoning"))
        prompt_tokens, stops, prompt_text = _format_prompt(
            llm, request["messages"], template_vars)
        splitter = _thinking_splitter(llm, prompt_text)
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
                   "cached_tokens": cached, **({"note": note} if note else {})})
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
                        _send_split(out, req_id, splitter, piece)
                        finish = "stop"
                        break
                _send_split(out, req_id, splitter, piece)
                if output_tokens >= max_tokens:
                    finish = "length"
                    break
        except Exception:
            if req_id not in _stop_ids:
                raise
            finish = "cancelled"  # the abort callback interrupted llama.cpp
            llm.reset()
        _send_split(out, req_id, splitter, None)  # what the splitter held back
        send(out, {
            "ev": "done", "id": req_id, "finish_reason": finish,
            "prompt_tokens": len(prompt_tokens), "output_tokens": output_tokens,
            "thinking_tokens": splitter.thinking_pieces,
            "cached_tokens": cached,
        })
    except Exception as exc:
        send(out, {
            "ev": "error", "id": req_id, "kind": "crash",
            "message": f"The local model failed while answering ({type(exc).__name__}: {exc}).",
        })
    finally:
        current["id"] = None
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
    from desktop.core.local.models import read_gguf_architecture

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
    current: dict = {"id": None}
    _install_abort(llm, current)
    while True:
        request = _requests.get()
        if request.get("op") == "generate":
            _generate(out, llm, request, current)
        elif request.get("op") == "count":  # how long a conversation is, before sending it
            tokens, _, _ = _format_prompt(llm, request["messages"])
            send(out, {"ev": "counted", "id": request.get("id"), "tokens": len(tokens),
                       "n_ctx": llm.n_ctx()})


if __name__ == "__main__":
    sys.exit(main())
