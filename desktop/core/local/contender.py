"""`local` and `local:/path.gguf`: an open model run by llama.cpp in a worker process.

The worker splits the model's think tags off its output (desktop/core/thinking.py) where the
tokens are, so thinking arrives as `Thought`s and is counted token by token, and it passes the
reasoning setting to the chat template's own switch (`enable_thinking`) where there is one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from desktop.core.answer import Status
from desktop.core.contenders.base import CancelToken, Contender, ModelName, StreamItem
from desktop.core.local.client import POOL, LoadSettings
from desktop.core.local.models import (
    EMBEDDED_NAME, check_context_fits, check_gguf, embedded_model_path,
)
from desktop.core.local.threads import default_threads
from desktop.core.params import Request


class LocalContender(Contender):
    provider = "local"
    default_kind = "open"

    def __init__(self, spec: str, path: str | None, kind: str | None = None) -> None:
        self.path = path  # None: the embedded model, located on first use
        model = EMBEDDED_NAME if path is None else Path(path).stem
        super().__init__(spec, model, kind)
        self._prepared = None  # the loaded worker `prepare` hands to `stream`

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
            n_threads=int(params.n_threads or default_threads()),
            n_gpu_layers=int(params.n_gpu_layers),
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
            yield from worker.generate(
                {
                    "messages": request.messages(),
                    "temperature": request.params.temperature,
                    "top_p": request.params.top_p,
                    "max_tokens": request.params.max_tokens,
                    "seed": request.params.seed,
                    "reasoning": request.params.reasoning,
                },
                cancel,
            )
        finally:
            POOL.release(worker)
