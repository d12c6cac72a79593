"""The one interface every contender implements.

A contender turns a `Request` into a stream of items:
- `str`: a piece of answer text, as it arrives;
- `Thought`: a piece of the model's thinking, kept apart from the answer (an empty one marks
  thinking the provider did not show, such as Anthropic's redacted blocks);
- `Status`: something worth showing meanwhile (loading progress, waiting to retry);
- `ModelName`: the model name as the backend reports it;
- `Usage`: token counts as the backend reports them (later values replace earlier ones);
  `output_tokens` is everything generated (thinking included, as billed), `thinking_tokens`
  the thinking part of it when the backend says;
- `Finish`: why it ended (`stop` or `length`).
Failures are raised as `ContenderError` with a stable kind. The engine times the stream, counts
and prices it, and keeps the partial text when it fails, so a provider module only speaks its
protocol. Cancellation is cooperative: check `cancel.is_set()` between chunks, and register a
closer with `cancel.on_cancel()` for anything that can block (a socket, a worker pipe).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import ClassVar, Union

from desktop.core.contenders.answer import Status
from desktop.core.contenders.params import Request


@dataclass(frozen=True)
class ModelName:
    name: str


@dataclass(frozen=True)
class Thought:
    text: str


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int | None = None
    output_tokens: int | None = None  # all generated tokens, thinking included
    thinking_tokens: int | None = None  # the thinking part of output_tokens, when known
    threads: int | None = None  # llama.cpp threads a local answer runs with


@dataclass(frozen=True)
class Finish:
    reason: str  # "stop" or "length"


StreamItem = Union[str, Thought, Status, ModelName, Usage, Finish]


class CancelToken:
    """A stop flag that can also run closers, so a blocked read ends at once."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._closers: list[Callable[[], None]] = []

    def is_set(self) -> bool:
        return self._event.is_set()

    def wait(self, timeout: float) -> bool:
        """Sleep up to `timeout` seconds; True as soon as cancelled (used for retry waits)."""
        return self._event.wait(timeout)

    def on_cancel(self, closer: Callable[[], None]) -> Callable[[], None]:
        """Run `closer` when cancelled (at once if already). Returns an unregister function."""
        with self._lock:
            if not self._event.is_set():
                self._closers.append(closer)
                return lambda: self._forget(closer)
        _safe(closer)
        return lambda: None

    def _forget(self, closer: Callable[[], None]) -> None:
        with self._lock:
            if closer in self._closers:
                self._closers.remove(closer)

    def cancel(self) -> None:
        with self._lock:
            if self._event.is_set():
                return
            self._event.set()
            closers, self._closers = self._closers, []
        for closer in closers:
            _safe(closer)


def _safe(fn: Callable[[], None]) -> None:
    try:
        fn()
    except Exception:  # a closer failing must not stop the other closers
        pass


# How a provider takes a key: "required" (a keyring entry or an environment variable),
# "per_server" (optional, and only for one base URL: compat:), "none".
KEY_REQUIRED, KEY_PER_SERVER, KEY_NONE = "required", "per_server", "none"
# Spec shapes: "NAME:MODEL", "NAME:MODEL@BASE_URL", "local[:PATH]", or no contender (a key only).
SHAPE_MODEL, SHAPE_MODEL_AT_URL, SHAPE_PATH, SHAPE_NONE = "model", "model@url", "path", "none"


class Provider:
    """What a provider says about itself, once, on its class; the provider registry
    (desktop/core/providers/registry.py) reads it. A class declares a provider when it sets
    `provider` in its own body; subclasses that leave it alone inherit, and declare nothing."""

    provider: ClassVar[str] = ""  # the spec prefix and keyring entry: "openai"
    label: ClassVar[str] = ""  # how people call it: "OpenAI"
    spec_form: ClassVar[str] = ""  # "openai:MODEL"
    spec_example: ClassVar[str] = ""  # "openai:gpt-4o-mini"
    default_kind: ClassVar[str] = "proprietary"  # "open" or "proprietary"
    kind_varies: ClassVar[bool] = False  # True: each contender decides (compat: by its host)
    key: ClassVar[str] = KEY_NONE
    key_env_vars: ClassVar[tuple[str, ...]] = ()  # where a key may come from besides the keyring
    key_hint: ClassVar[str] = ""  # where to get a key, shown next to the key field
    auth: ClassVar[str] = ""  # how the key is sent: "Authorization: Bearer", "x-api-key", ...
    base_url_env: ClassVar[str | None] = None  # overrides the default server address
    default_base_url: ClassVar[str] = ""
    default_models: ClassVar[tuple[str, ...]] = ()  # the first is the picker's suggestion
    framing: ClassVar[str] = ""  # the wire format, for people reading `keys`/docs
    shape: ClassVar[str] = SHAPE_MODEL
    # False: the user's own hardware (the local engine, Ollama, LM Studio), no per-token price:
    # an answer costs 0. The one place that says local costs nothing.
    priced: ClassVar[bool] = True
    order: ClassVar[int] = 100  # place in lists (pickers, `keys list`)
    # True: the answer is computed on this machine's cores by the app's own llama.cpp worker.
    # While it generates, the rest of the app keeps its wake-ups few: the window's frames
    # (gui/battle_runner.py) and the other side's socket reads (`share_machine`).
    computes_here: ClassVar[bool] = False
    # "module:Class" building the contenders when that is not this class (a light declaration
    # that keeps heavy machinery out of the registry's imports, as the local engine's does).
    builds: ClassVar[str] = ""


class Contender(Provider):
    """Base class: subclasses set the class attributes and implement `stream`."""

    def __init__(self, spec: str, model: str, kind: str | None = None) -> None:
        self.spec = spec
        self.model = model
        self.kind = kind or self.default_kind

    def prepare(self, request: Request, cancel: CancelToken) -> Iterator[Status]:
        """Get ready to answer (load a model), reporting progress; raise ContenderError on
        failure. The engine starts both sides' streams only once both are prepared, so model
        loading neither counts in time to first token nor tells a blind voter which side is
        local by making one side start late."""
        return iter(())

    def setting_notes(self, request: Request) -> list[str]:
        """Plain notes about settings this model cannot take and that are left out (shown
        before the answer, never naming the model: a blind pane shows them too)."""
        return []

    def abandon(self) -> None:
        """Prepared but stopped before streaming: let go of what `prepare` took."""

    def share_machine(self, neighbour_busy: Callable[[], bool] | None) -> None:
        """The battle says whether another side computes on this machine's cores (while
        `neighbour_busy()` holds), or not (None). A side whose own work is waiting on a network
        spaces that work out meanwhile; by default there is nothing to space."""

    def stream(self, request: Request, cancel: CancelToken) -> Iterator[StreamItem]:
        raise NotImplementedError

    def close(self) -> None:
        """Release what the contender holds (connections, worker processes)."""
