"""The provider registry: every provider declares itself once, on its class, and everything else
reads it here.

A provider is a class (a `Contender`, or a `Provider` for a key-only entry such as the Hugging
Face Hub) that sets `provider` in its own body, with its label, spec form, key name and
environment variables, auth, base URL, kind, whether it is priced, default models and framing
as class attributes (desktop/core/contenders/base.py lists them), and the contender class it
`builds`. The registry imports every module of `desktop.core.providers.declared` and
`desktop.core.local.provider`, and keeps each class that declares a provider there: no list of
modules to skip, so a new provider is its declaration there and its contender, which takes the
declaration as its first base, beside the others (plus its prices in desktop/data/prices.json).
Declarations import no HTTP machinery: the window lists providers before its first paint, and
`RemoteContender`, httpx and the event-stream parser load when a contender is first made.
Spec parsing, keys, the key check, the picker, the settings dialog, the window's wording,
warm-up and `sidebyside keys` read the registry. A provider defined outside these modules (a
plugin, a test) calls `register()` with its class.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import threading
from dataclasses import dataclass

from desktop.core.base import keys

from desktop.core.contenders.base import (  # noqa: F401 - the constants are read from here too
    KEY_NONE, KEY_PER_SERVER, KEY_REQUIRED, SHAPE_MODEL, SHAPE_MODEL_AT_URL, SHAPE_NONE,
    SHAPE_PATH, Provider,
)


@dataclass(frozen=True)
class ProviderInfo:
    """A provider's declaration as the rest of the app reads it (made from its class)."""

    name: str  # the spec prefix and keyring entry: "openai"
    label: str  # how people call it: "OpenAI"
    contender: str = ""  # "module:Class" building its contenders; "" for a key-only entry
    spec_form: str = ""  # "openai:MODEL"
    spec_example: str = ""  # "openai:gpt-4o-mini"
    kind: str = "proprietary"  # "open", "proprietary", or "" when the contender decides
    key: str = KEY_NONE
    key_env_vars: tuple[str, ...] = ()
    key_hint: str = ""
    auth: str = ""
    base_url_env: str | None = None
    default_base_url: str = ""
    default_models: tuple[str, ...] = ()
    framing: str = ""
    shape: str = SHAPE_MODEL
    priced: bool = True
    order: int = 100

    @classmethod
    def of(cls, declared: type[Provider]) -> ProviderInfo:
        """The declaration a provider class makes."""
        own = f"{declared.__module__}:{declared.__qualname__}"
        # `builds` counts only where the class sets it itself: a contender that subclasses
        # another provider's (a plugin's relay on CompatContender) is its own contender.
        builds = declared.__dict__.get("builds", "")
        contender = "" if declared.shape == SHAPE_NONE else (builds or own)
        return cls(
            name=declared.provider, label=declared.label or declared.provider,
            contender=contender, spec_form=declared.spec_form,
            spec_example=declared.spec_example,
            kind="" if declared.kind_varies else declared.default_kind, key=declared.key,
            key_env_vars=tuple(declared.key_env_vars), key_hint=declared.key_hint,
            auth=declared.auth, base_url_env=declared.base_url_env,
            default_base_url=declared.default_base_url,
            default_models=tuple(declared.default_models), framing=declared.framing,
            shape=declared.shape, priced=declared.priced, order=declared.order,
        )

    @property
    def default_model(self) -> str:
        return self.default_models[0] if self.default_models else ""

    @property
    def needs_key(self) -> bool:
        return self.key == KEY_REQUIRED

    @property
    def is_contender(self) -> bool:
        return self.shape != SHAPE_NONE and bool(self.contender)


BUILTIN_PACKAGES = ("desktop.core.providers.declared",)
BUILTIN_MODULES = ("desktop.core.local.provider",)

_lock = threading.RLock()
_providers: dict[str, ProviderInfo] = {}
_loaded = False


def declares(candidate: object) -> bool:
    """Whether `candidate` is a class that declares a provider (sets `provider` itself)."""
    return (inspect.isclass(candidate) and issubclass(candidate, Provider)
            and bool(candidate.__dict__.get("provider")))


def declared_in(module: object) -> list[type[Provider]]:
    """The provider classes a module defines (not those it imports)."""
    name = getattr(module, "__name__", "")
    return [value for value in vars(module).values()
            if declares(value) and value.__module__ == name]


def register(declared: type[Provider] | ProviderInfo) -> ProviderInfo:
    """Add (or replace) a provider; built-ins register the same way, on first use."""
    info = declared if isinstance(declared, ProviderInfo) else ProviderInfo.of(declared)
    _load_builtins()
    with _lock:
        _providers[info.name] = info
    return info


def unregister(name: str) -> None:
    with _lock:
        _providers.pop(name, None)


def _builtin_modules() -> list[str]:
    names = list(BUILTIN_MODULES)
    for package_name in BUILTIN_PACKAGES:
        package = importlib.import_module(package_name)
        names += [f"{package_name}.{m.name}" for m in pkgutil.iter_modules(package.__path__)
                  if not m.name.startswith("_")]
    return names


def _load_builtins() -> None:
    global _loaded
    with _lock:
        if _loaded:
            return
        _loaded = True
        for name in _builtin_modules():
            for declared in declared_in(importlib.import_module(name)):
                info = ProviderInfo.of(declared)
                _providers.setdefault(info.name, info)


def providers() -> list[ProviderInfo]:
    """Every provider, in list order."""
    _load_builtins()
    with _lock:
        return sorted(_providers.values(), key=lambda p: (p.order, p.name))


def get(name: str) -> ProviderInfo | None:
    _load_builtins()
    with _lock:
        return _providers.get(name)


def contender_providers() -> list[ProviderInfo]:
    return [p for p in providers() if p.is_contender]


def keyed_providers() -> list[ProviderInfo]:
    """Providers whose one key the keyring keeps under their name (not per-server keys)."""
    return [p for p in providers() if p.key == KEY_REQUIRED]


def label(name: str) -> str:
    info = get(name)
    return info.label if info else name


def modules() -> list[str]:
    """The modules that hold the contenders, for warm-up imports."""
    return [p.contender.partition(":")[0] for p in contender_providers()]


def _key_holders() -> list[keys.KeyHolder]:
    """The providers that take keys, for desktop.core.base.keys (which imports no provider)."""
    return [keys.KeyHolder(p.name, p.label, p.key_env_vars, p.key == KEY_PER_SERVER)
            for p in providers() if p.key in (KEY_REQUIRED, KEY_PER_SERVER)]


keys.use_directory(_key_holders)
