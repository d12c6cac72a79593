"""The app's side of one llama.cpp worker: start it, load a model, stream answers, stop.

A `WorkerProcess` owns one worker process (one loaded model) and speaks its line protocol
(`protocol.py`): JSON requests on stdin, JSON events on stdout, read by one thread into a queue.
A stop that the worker has not confirmed within `STOP_GRACE_S` returns the answer as cancelled
anyway; the worker is drained before it is used again. Workers start from one long-lived thread
(`Spawner`, one per worker pool), so a worker ends with its pool and not with the battle that
started it. Keeping workers warm between prompts is `workers.py`'s job.

A worker that dies on its very first batch (before any token came back from the first prompt
it was given) raises `FirstBatchCrash`, so that the contender can retry in safe mode.
"""
from __future__ import annotations

import itertools
import json
import os
import queue
import signal
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from desktop.core.contenders.answer import Status
from desktop.core.contenders.base import CancelToken, Finish, Thought, Usage
from desktop.core.base.errors import CRASH, MODEL_LOAD, ContenderError
from desktop.core.local.protocol import send
from desktop.core.local.build_info import physical_cores
import time

# How long a stop waits for the worker to confirm before the answer is returned as cancelled
# anyway; the worker is then drained before it is used again.
STOP_GRACE_S = 0.15
_EXIT = {"ev": "_exit"}
_ids = itertools.count(1)


@dataclass(frozen=True)
class LoadSettings:
    path: str
    n_ctx: int
    n_threads: int  # 0: chosen per request (threads.py); the worker loads with the physical cores
    n_gpu_layers: int = 0
    safe_mode: bool = False


class FirstBatchCrash(ContenderError):
    """The worker died while evaluating the first batch of a freshly loaded model."""

    def __init__(self, message: str, exit_description: str) -> None:
        super().__init__(CRASH, message)
        self.exit_description = exit_description


def worker_command() -> list[str]:
    if getattr(sys, "frozen", False):  # the bundle's executable serves the worker too
        return [sys.executable, "_local-worker"]
    return [sys.executable, "-m", "desktop.core.local.worker"]


def worker_environment() -> dict[str, str]:
    """The app's environment minus anything secret: a worker needs no API key."""
    secret_markers = ("KEY", "TOKEN", "SECRET", "PASSWORD", "CREDENTIAL")
    env = {k: v for k, v in os.environ.items() if not any(m in k.upper() for m in secret_markers)}
    env["SIDEBYSIDE_PARENT_PID"] = str(os.getpid())
    env.setdefault("PYTHONIOENCODING", "utf-8")
    env["GGML_NO_BACKTRACE"] = "1"  # ggml would otherwise attach gdb to itself on an abort
    return env


def describe_exit(returncode: int | None) -> str:
    if returncode is None:
        return "an unknown status"
    if returncode < 0:
        try:
            return f"signal {signal.Signals(-returncode).name}"
        except ValueError:
            return f"signal {-returncode}"
    return f"exit status {returncode}"


# Exits that mean the code faulted (a bad instruction, a bad memory access, an abort), as
# opposed to being killed from outside (SIGKILL: the OOM killer, the user). Windows reports
# an access violation or an illegal instruction as an NTSTATUS exit code.
_FAULT_SIGNALS = {getattr(signal, name) for name in ("SIGSEGV", "SIGILL", "SIGBUS", "SIGFPE",
                                                     "SIGABRT") if hasattr(signal, name)}
_WINDOWS_FAULTS = {0xC0000005, 0xC000001D, 0xC0000409}


def is_fault(returncode: int | None) -> bool:
    if returncode is None:
        return False
    if returncode < 0:
        return -returncode in _FAULT_SIGNALS
    return (returncode & 0xFFFFFFFF) in _WINDOWS_FAULTS


class Spawner:
    """Starts worker processes from one long-lived thread (its pool's).

    On Linux a worker asks the kernel to kill it when its parent dies (PR_SET_PDEATHSIG), and
    the "parent" there is the *thread* that started it, not the process. Started from a
    battle's thread, a warm worker would be killed the moment that battle ended. This thread
    lives as long as the pool that owns it (the window's lives as long as the app), so a worker
    still ends with its owner, however the app ends. `stop()` ends the thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: "queue.Queue[tuple[Future, tuple, dict] | None]" = queue.Queue()
        self._thread: threading.Thread | None = None

    def popen(self, *args, **kwargs) -> subprocess.Popen:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._serve, name="worker-spawner",
                                                daemon=True)
                self._thread.start()
        job: Future = Future()
        self._jobs.put((job, args, kwargs))
        return job.result()

    def stop(self) -> None:
        """End the thread once the jobs before now are done (its workers are ended apart)."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                self._jobs.put(None)
            self._thread = None

    def _serve(self) -> None:
        while True:
            item = self._jobs.get()
            if item is None:
                return
            job, args, kwargs = item
            try:
                job.set_result(subprocess.Popen(*args, **kwargs))
            except BaseException as exc:  # handed to the caller, raised there
                job.set_exception(exc)


def _open_log(path: Path) -> int:
    """The worker's log, opened to append without following a link: a link (or a hard link
    shared with a file elsewhere, or anything not a regular file) planted at its fixed name is
    never written through. Such a log, or one that cannot be opened, means no log, not a
    failed answer."""
    try:
        # O_NONBLOCK: a FIFO planted there fails at once instead of hanging the open.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NONBLOCK
                     | getattr(os, "O_NOFOLLOW", 0), 0o666)
    except OSError:
        return subprocess.DEVNULL
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_nlink > 1:
        os.close(fd)
        return subprocess.DEVNULL
    return fd


class WorkerProcess:
    def __init__(self, settings: LoadSettings, log_path: Path | None, spawner: Spawner) -> None:
        """`spawner`: the long-lived thread of the pool that keeps this worker (`Spawner`)."""
        self.settings = settings
        self.model_name = Path(settings.path).stem
        self.loaded = False
        self.evaluated = False  # a token or a finished answer came back: the model computes
        self.calibration: dict | None = None  # the worker's thread measurement, when it made one
        self.n_threads: int | None = None  # the thread count of the latest answer
        self._events: "queue.Queue[dict]" = queue.Queue()
        self._pending_id: str | None = None  # a stopped request whose "done" has not arrived
        self.last_cached_tokens = 0  # prompt tokens the last request found in the KV cache
        log = _open_log(log_path) if log_path else subprocess.DEVNULL
        try:
            self.process = spawner.popen(
                worker_command(),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                env=worker_environment(),
                text=True,
                encoding="utf-8",
                bufsize=1,
            )
        finally:
            if log is not subprocess.DEVNULL:
                os.close(log)
        self._write_lock = threading.Lock()
        threading.Thread(target=self._read, name="worker-reader", daemon=True).start()

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            try:
                self._events.put(json.loads(line))
            except ValueError:
                continue  # not a protocol line; the worker keeps stdout clean, so ignore it
        self._events.put(_EXIT)

    def _send(self, message: dict) -> None:
        try:
            with self._write_lock:
                send(self.process.stdin, message)
        except (BrokenPipeError, OSError, ValueError):
            pass  # the worker is gone; its exit shows up as an event

    def _died(self, during: str) -> ContenderError:
        try:
            returncode = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            returncode = None
        if during == "answering" and not self.evaluated and is_fault(returncode):
            return FirstBatchCrash(
                f"The local model's worker process stopped unexpectedly "
                f"({describe_exit(returncode)}) on the model's first batch.",
                describe_exit(returncode),
            )
        return ContenderError(
            CRASH,
            f"The local model's worker process stopped unexpectedly ({describe_exit(returncode)}) "
            f"while {during}. This happens when the machine runs out of memory or llama.cpp hits "
            "an internal error. Send the prompt again: a fresh worker will start.",
        )

    def load(self, cancel: CancelToken) -> Iterator[Status]:
        s = self.settings
        n_threads = s.n_threads or physical_cores()
        self._send({
            "op": "load", "path": s.path, "n_ctx": s.n_ctx, "n_threads": n_threads,
            "n_threads_batch": n_threads, "n_gpu_layers": s.n_gpu_layers,
            "safe_mode": s.safe_mode,
        })
        yield Status("loading", f"Loading {Path(s.path).name}", 0.0)
        while True:
            event = self._next(cancel)
            if event is None:  # cancelled while loading: this worker is half-made, drop it
                self.kill()
                return
            kind = event.get("ev")
            if kind == "progress":
                yield Status("loading", f"Loading {Path(s.path).name}", float(event.get("p", 0)))
            elif kind == "loaded":
                self.model_name = event.get("model") or self.model_name
                self.loaded = True
                return
            elif kind == "error":
                self.kill()
                raise ContenderError(event.get("kind") or MODEL_LOAD, event.get("message", ""))
            elif kind == "_exit":
                raise self._died("loading the model")

    def count_tokens(self, messages: list[dict], cancel: CancelToken) -> tuple[int, int] | None:
        """(prompt tokens, n_ctx) of these messages through the model's chat template; None
        once cancelled."""
        req_id = f"c{next(_ids)}"
        self._send({"op": "count", "id": req_id, "messages": messages})
        while True:
            event = self._next(cancel)
            if event is None:
                return None  # a late "counted" is skipped by whoever reads next (ids differ)
            if event.get("ev") == "_exit":
                raise self._died("reading the conversation")
            if event.get("ev") == "counted" and event.get("id") == req_id:
                return int(event["tokens"]), int(event["n_ctx"])

    def _next(self, cancel: CancelToken, poll_s: float = 0.05) -> dict | None:
        """The next event, or None once cancelled (checked every `poll_s`)."""
        while True:
            if cancel.is_set():
                return None
            try:
                return self._events.get(timeout=poll_s)
            except queue.Empty:
                continue

    def drain(self) -> bool:
        """Wait for a stopped request to finish. False if the worker did not recover."""
        while self._pending_id is not None:
            try:
                event = self._events.get(timeout=30)
            except queue.Empty:
                return False
            if event.get("ev") == "_exit":
                return False
            if event.get("ev") in ("done", "error") and event.get("id") == self._pending_id:
                self._pending_id = None
        return True

    def generate(self, payload: dict, cancel: CancelToken) -> Iterator:
        req_id = f"r{next(_ids)}"
        self._send({"op": "generate", "id": req_id, **payload})
        unregister = cancel.on_cancel(lambda: self._send({"op": "stop", "id": req_id}))
        try:
            yield from self._stream(req_id, cancel)
        finally:
            unregister()

    def _stream(self, req_id: str, cancel: CancelToken) -> Iterator:
        deadline = None
        while True:
            if cancel.is_set() and deadline is None:
                deadline = _now() + STOP_GRACE_S
            try:
                timeout = 0.05 if deadline is None else max(0.0, deadline - _now())
                event = self._events.get(timeout=timeout)
            except queue.Empty:
                if deadline is not None and _now() >= deadline:
                    self._pending_id = req_id  # let the stop finish in the background
                    return
                continue
            kind = event.get("ev")
            if kind == "_exit":
                raise self._died("answering")
            if event.get("id") != req_id:
                continue
            if kind == "started":
                self.last_cached_tokens = int(event.get("cached_tokens") or 0)
                self.n_threads = event.get("n_threads")
                yield Usage(prompt_tokens=event.get("prompt_tokens"), threads=self.n_threads)
                if event.get("note"):
                    yield Status("notice", event["note"])
            elif kind == "calibrated":
                self.calibration = event
            elif kind == "delta":
                self.evaluated = True
                yield event.get("text", "")
            elif kind == "thought":
                self.evaluated = True
                yield Thought(event.get("text", ""))
            elif kind == "done":
                self.evaluated = True
                yield Usage(event.get("prompt_tokens"), event.get("output_tokens"),
                            event.get("thinking_tokens"))
                if event.get("finish_reason") in ("stop", "length"):
                    yield Finish(event["finish_reason"])
                return
            elif kind == "error":
                raise ContenderError(event.get("kind") or CRASH, event.get("message", ""))

    def kill(self) -> None:
        try:
            if self.process.stdin:
                self.process.stdin.close()  # the worker exits on EOF
        except OSError:
            pass
        if self.alive():
            self.process.kill()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass


def _now() -> float:
    return time.monotonic()
