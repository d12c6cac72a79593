"""`local` and `local:/path.gguf`: an open model run by llama.cpp in a worker process."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from desktop.core.answer import Status
from desktop.core.contenders.base import CancelToken, Contender, ModelName, StreamItem
from desktop.core.errors import CRASH, ContenderError
from desktop.core.local import safe_mode, threads
from desktop.core.local.client import POOL, FirstBatchCrash, LoadSettings, WorkerProcess
from desktop.core.local.models import (
    EMBEDDED_NAME, check_context_fits, check_gguf, embedded_model_path,
)
from desktop.core.params import Request


class LocalContender(Contender):
    provider = "local"
    default_kind = "open"

    def __init__(self, spec: str, path: str | None, kind: str | None = None) -> None:
        self.path = path  # None: the embedded model, located on first use
        model = EMBEDDED_NAME if path is None else Path(path).stem
        super().__init__(spec, model, kind)
        self._prepared = None  # the loaded worker `prepare` hands to `stream`
        self._busy_cores: float | None = None  # other programs' CPU, sampled while preparing

    @classmethod
    def from_spec(cls, spec, kind=None) -> "LocalContender":
        return cls(spec.raw, spec.path, kind)

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

    def prepare(self, request: Request, cancel: CancelToken) -> Iterator[Status]:
        """Load the model into a worker and keep it for `stream` (warm if one already is)."""
        settings = self._settings(request)
        worker = POOL.acquire(settings)
        try:
            if not worker.loaded:
                yield from worker.load(cancel)
        except BaseException:
            POOL.release(worker)
            raise
        if cancel.is_set():
            POOL.release(worker)
            return
        if not settings.n_threads:
            self._busy_cores = threads.busy_cores(exclude_pids=POOL.worker_pids())
        self._prepared = worker

    def abandon(self) -> None:
        worker, self._prepared = self._prepared, None
        if worker is not None:
            POOL.release(worker)

    def stream(self, request: Request, cancel: CancelToken) -> Iterator[StreamItem]:
        worker, self._prepared = self._prepared, None
        if worker is None or not worker.alive():
            if worker is not None:
                POOL.release(worker)
            worker = POOL.acquire(self._settings(request))
        try:
            if not worker.loaded:
                yield from worker.load(cancel)
                if cancel.is_set():
                    return
            yield ModelName(EMBEDDED_NAME if self.path is None else worker.model_name)
            payload = {
                "messages": request.messages(),
                "temperature": request.params.temperature,
                "top_p": request.params.top_p,
                "max_tokens": request.params.max_tokens,
                "seed": request.params.seed,
            }
            try:
                yield from self._generate(worker, payload, cancel)
            except FirstBatchCrash as crash:
                if worker.settings.safe_mode:
                    raise ContenderError(CRASH, safe_mode.unrecoverable_message(
                        crash.exit_description)) from None
                # Retried once, in safe mode, with a fresh worker.
                POOL.release(worker)
                worker = POOL.acquire(replace(worker.settings, safe_mode=True))
                if not worker.loaded:
                    yield from worker.load(cancel)
                    if cancel.is_set():
                        return
                yield from self._generate_in_safe_mode(worker, payload, cancel, crash)
        finally:
            POOL.release(worker)

    def _generate(self, worker: WorkerProcess, payload: dict, cancel: CancelToken):
        settings = worker.settings
        bucket = threads.model_bucket(settings.path, settings.n_gpu_layers)
        choice = threads.choose(bucket, settings.n_threads or None, self._busy_cores,
                                POOL.busy_threads(besides=worker))
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
                        yield Status("notice", safe_mode.NOTICE)
                yield item
        except FirstBatchCrash as again:
            raise ContenderError(CRASH, safe_mode.unrecoverable_message(
                again.exit_description)) from None
