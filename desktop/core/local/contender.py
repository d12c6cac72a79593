"""`local` and `local:/path.gguf`: an open model run by llama.cpp in a worker process.

A contender asks the pool for the worker it used last (`prefer=`), so the next turn of a
conversation reaches the same `Llama` whose KV cache already holds the conversation so far:
llama.cpp then evaluates only the new part of the prompt. Two local sides of one battle each get
their own worker back, so neither reads the other's cache.

The worker splits the model's think tags off its output (desktop/core/contenders/thinking.py) where the
tokens are, so thinking arrives as `Thought`s and is counted token by token, and it passes the
reasoning setting to the chat template's own switch (`enable_thinking`) where there is one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from desktop.core.contenders.answer import Status
from desktop.core.contenders.base import CancelToken, ModelName, StreamItem
from desktop.core.base.errors import CONTEXT_LENGTH, CRASH, ContenderError
from desktop.core.local import safe_mode, threads
from desktop.core.local.load import machine_load
from desktop.core.local.client import FirstBatchCrash, LoadSettings, WorkerProcess
from desktop.core.local.provider import LocalProvider
from desktop.core.local.workers import WorkerPool
from desktop.core.local.models import (
    EMBEDDED_NAME, check_context_fits, check_gguf, embedded_model_path,
)
from desktop.core.contenders.params import Request


class LocalContender(LocalProvider):
    """The local engine's contender; what it declares is on `LocalProvider`."""

    def __init__(self, spec: str, path: str | None, kind: str | None = None, *,
                 pool: WorkerPool) -> None:
        self.path = path  # None: the embedded model, located on first use
        model = EMBEDDED_NAME if path is None else Path(path).stem
        super().__init__(spec, model, kind)
        # The pool of whoever made this contender (the window, a CLI command), who closes it:
        # a worker outlives the contender, warm for the next one.
        self.pool = pool
        self._prepared = None  # the loaded worker `prepare` hands to `stream`
        self._last_worker = None  # the worker of the previous answer, asked for again
        self._busy_cores: float | None = None  # other programs' CPU, read while preparing
        machine_load().start()  # a running sample from now on, so no answer waits for one

    @classmethod
    def from_spec(cls, spec, kind=None, *, workers: WorkerPool | None = None,
                  clients: object = None) -> "LocalContender":
        """The contender a parsed spec names; `clients` (HTTP connections) is not needed."""
        if workers is None:
            raise ValueError("A local contender runs in its caller's WorkerPool (workers=).")
        return cls(spec.raw, spec.path, kind, pool=workers)

    def model_file(self) -> Path:
        if self.path is None:
            return embedded_model_path()
        return check_gguf(Path(self.path).expanduser())

    def _settings(self, request: Request) -> LoadSettings:
        path = self.model_file()
        params = request.params
        settings = LoadSettings(
            path=str(path.resolve()),
            n_ctx=int(params.n_ctx),
            n_threads=int(params.n_threads or 0),  # 0: chosen per answer (threads.py)
            n_gpu_layers=int(params.n_gpu_layers),
            safe_mode=safe_mode.remembered() is not None,
        )
        check_context_fits(path, settings.n_ctx)
        return settings

    @property
    def cached_prompt_tokens(self) -> int:
        """Prompt tokens the last answer found already evaluated in the worker's KV cache."""
        return self._last_worker.last_cached_tokens if self._last_worker is not None else 0

    def prepare(self, request: Request, cancel: CancelToken) -> Iterator[Status]:
        """Load the model into a worker and keep it for `stream` (warm if one already is)."""
        settings = self._settings(request)
        worker = self.pool.acquire(settings, prefer=self._last_worker)
        try:
            if not worker.loaded:
                yield from worker.load(cancel)
        except BaseException:
            self.pool.release(worker)
            raise
        if cancel.is_set():
            self.pool.release(worker)
            return
        if request.history:  # a follow-up: refuse before anything is sent if it cannot fit
            try:
                self._check_conversation_fits(worker, request, cancel)
            except BaseException:
                self.pool.release(worker)
                raise
        if not settings.n_threads:
            # Other programs only: the app's own tree (this process, both sides' workers) is left
            # out; the other side's local worker counts through busy_threads below.
            self._busy_cores = machine_load().other_busy_cores()
        self._prepared = worker

    def _check_conversation_fits(self, worker, request: Request, cancel: CancelToken) -> None:
        counted = worker.count_tokens(request.messages(), cancel)
        if counted is None:
            return
        tokens, n_ctx = counted
        wanted = int(request.params.max_tokens)
        if tokens + wanted > n_ctx:
            raise ContenderError(
                CONTEXT_LENGTH,
                f"This conversation no longer fits the local model's context: with this prompt "
                f"it is {tokens:,} tokens, and up to {wanted:,} more were asked for the answer, "
                f"but the model holds {n_ctx:,} tokens (n_ctx). Nothing was sent. Vote on the "
                "conversation as it is, or start a new one (Ctrl+N in the window), or raise "
                "n_ctx or lower max tokens.",
            )

    def abandon(self) -> None:
        worker, self._prepared = self._prepared, None
        if worker is not None:
            self.pool.release(worker)

    def stream(self, request: Request, cancel: CancelToken) -> Iterator[StreamItem]:
        worker, self._prepared = self._prepared, None
        if worker is None or not worker.alive():
            if worker is not None:
                self.pool.release(worker)
            worker = self.pool.acquire(self._settings(request), prefer=self._last_worker)
        try:
            if not worker.loaded:
                yield from worker.load(cancel)
                if cancel.is_set():
                    return
            self._last_worker = worker
            yield ModelName(EMBEDDED_NAME if self.path is None else worker.model_name)
            payload = {
                "messages": request.messages(),
                "temperature": request.params.temperature,
                "top_p": request.params.top_p,
                "max_tokens": request.params.max_tokens,
                "seed": request.params.seed,
                "reasoning": request.params.reasoning,
            }
            try:
                yield from self._generate(worker, payload, cancel)
            except FirstBatchCrash as crash:
                if worker.settings.safe_mode:
                    raise ContenderError(CRASH, safe_mode.unrecoverable_message(
                        crash.exit_description)) from None
                # Retried once, in safe mode, with a fresh worker.
                self.pool.release(worker)
                worker = self.pool.acquire(replace(worker.settings, safe_mode=True))
                self._last_worker = worker
                if not worker.loaded:
                    yield from worker.load(cancel)
                    if cancel.is_set():
                        return
                yield from self._generate_in_safe_mode(worker, payload, cancel, crash)
        finally:
            self.pool.release(worker)

    def _generate(self, worker: WorkerProcess, payload: dict, cancel: CancelToken):
        settings = worker.settings
        bucket = threads.model_bucket(settings.path, settings.n_gpu_layers)
        choice = threads.choose(bucket, settings.n_threads or None, self._busy_cores,
                                self.pool.busy_threads(besides=worker))
        # No load readings while this model generates: it wants every core (load.py, `paused`).
        with machine_load().paused():
            yield from worker.generate(
                {**payload, "n_threads": choice.n_threads, "max_threads": choice.max_threads,
                 "calibrate": choice.calibrate},
                cancel,
            )
        if choice.calibrate and worker.calibration:
            threads.remember(bucket, worker.calibration)

    def _generate_in_safe_mode(self, worker, payload, cancel, crash: FirstBatchCrash):
        noticed = False
        try:
            for item in self._generate(worker, payload, cancel):
                if worker.evaluated and not noticed:
                    noticed = True
                    if safe_mode.remember(f"llama.cpp's fast path crashed on the first batch "
                                          f"({crash.exit_description}); safe mode answered"):
                        yield Status("announce", safe_mode.NOTICE)
                yield item
        except FirstBatchCrash as again:
            raise ContenderError(CRASH, safe_mode.unrecoverable_message(
                again.exit_description)) from None
