"""The provider registry: every provider declares itself once, and everything else reads it.

Each provider module (a module of this package, or `desktop.core.local.provider`) declares a
module-level `PROVIDER = ProviderInfo(...)`: its label, spec form, key names and environment
variables, auth, default models and framing. Spec parsing, keys, the key check, the picker, the
settings dialog, the window's wording, warm-up and `sidebyside keys` read the registry, so a new
provider is one module (plus its prices in desktop/data/prices.json). A provider defined outside
this package (a plugin, a test) calls `register()` with its declaration.

The modules are imported on the first question asked of the registry, not before: provider
modules are light (httpx loads only when a request is made).
"""

from __future__ import annotations

import importlib
import pkgutil
import threading
from dataclasses import dataclass

# Keys: "required" (a keyring entry or an environment variable), "per_server" (optional, and
# only for one base URL: compat:), "none".
KEY_REQUIRED, KEY_PER_SERVER, KEY_NONE = "required", "per_server", "none"
# Spec shapes: "NAME:MODEL", "NAME:MODEL@BASE_URL", "local[:PATH]", or no contender (a key only).
SHAPE_MODEL, SHAPE_MODEL_AT_URL, SHAPE_PATH, SHAPE_NONE = "model", "model@url", "path", "none"


@dataclass(frozen=True)
class ProviderInfo:
    name: str  # the spec prefix and keyring entry: "openai"
    label: str  # how people call it: "OpenAI"
    contender: str = ""  # "module:Class" building its contenders; "" for a key-only entry
    spec_form: str = ""  # "openai:MODEL"
    spec_example: str = ""  # "openai:gpt-4o-mini"
    kind: str = "proprietary"  # "open", "proprietary", or "" when the contender decides
    key: str = KEY_NONE
    key_env_vars: tuple[str, ...] = ()  # where a key may come from besides the keyring
    key_hint: str = ""  # where to get a key, shown next to the key field
    auth: str = ""  # how the key is sent: "Authorization: Bearer", "x-api-key", ...
    base_url_env: str | None = None  # overrides the default server address
    default_base_url: str = ""
    default_models: tuple[str, ...] = ()  # the first is the picker's suggestion
    framing: str = ""  # the wire format, for people reading `keys`/docs
    shape: str = SHAPE_MODEL
    priced: bool = True  # False: the user's own hardware, no per-token price (costs 0)
    order: int = 100  # place in lists (pickers, `keys list`)

    @property
    def default_model(self) -> str:
        return self.default_models[0] if self.default_models else ""

    @property
    def needs_key(self) -> bool:
        return self.key == KEY_REQUIRED

    @property
    def is_contender(self) -> bool:
        return self.shape != SHAPE_NONE and bool(self.contender)


BUILTIN_PACKAGES = ("desktop.core.providers",)
BUILTIN_MODULES = ("desktop.core.local.provider",)

_lock = threading.RLock()
_providers: dict[str, ProviderInfo] = {}
_loaded = False


def register(info: ProviderInfo) -> ProviderInfo:
    """Add (or replace) a provider; built-ins register the same way, on first use."""
    _load_builtins()
    with _lock:
        _providers[info.name] = info
    return info


def unregister(name: str) -> None:
    with _lock:
        _providers.pop(name, None)


# Modules of the providers package that declare no provider: the transport they all share. Not
# imported to look for a declaration, since the window lists providers before its first paint
# and these bring sockets, TLS and the event-stream parser with them.
MACHINERY = frozenset({"registry", "http", "pool", "sse", "failures", "warm"})


def _load_builtins() -> None:
    global _loaded
    with _lock:
        if _loaded:
            return
        _loaded = True
        names = list(BUILTIN_MODULES)
        for package_name in BUILTIN_PACKAGES:
            package = importlib.import_module(package_name)
            names += [f"{package_name}.{m.name}" for m in pkgutil.iter_modules(package.__path__)
                      if not m.name.startswith("_") and m.name not in MACHINERY]
        for name in names:
            module = importlib.import_module(name)
            info = getattr(module, "PROVIDER", None)
            if isinstance(info, ProviderInfo):
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
