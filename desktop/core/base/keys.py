"""API keys: kept in the system keyring, or read from the environment, never written in plain text.

Each key is one keyring entry under the service `sidebyside`, with the provider name as the user
name (`openai`, `anthropic`, `gemini`, `huggingface`: every provider that declares a required
key) or, for a provider whose keys are per server (`compat`), its name, a colon and the server's
base URL. Lookup order: the keyring, then the provider's environment variables.
A per-server key is only ever sent to that exact base URL, so an OpenAI key never leaves for
someone else's server.

This module sits at the bottom (desktop.core.base): it knows no provider. Which providers take
keys, under which label and environment variables, is what the provider classes declare; the
provider registry hands that over as a directory (`use_directory`) when it loads, so keys reads
the classes' own declarations without importing them.

The keyring cannot list its entries, so the base URLs that have a stored per-server key are
noted in `keys.json` in the data directory (URLs only, never a key) for `sidebyside keys list`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass

from desktop.core.base.errors import MISSING_KEY, ContenderError
from desktop.core.base.paths import data_dir
from desktop.core.base.safe_write import write_text_atomic

SERVICE = "sidebyside"
SOURCE_KEYRING = "keyring"
SOURCE_NONE = "none"


@dataclass(frozen=True)
class KeyHolder:
    """What keys need to know of a provider, from its class's declaration."""

    name: str  # "openai": the keyring entry and `sidebyside keys set NAME`
    label: str  # "OpenAI"
    env_vars: tuple[str, ...] = ()
    per_server: bool = False  # one optional key per base URL (compat:), never from the env


Directory = Callable[[], list[KeyHolder]]
_directory: list[Directory] = []  # set once by the provider registry when it loads


def use_directory(directory: Directory) -> None:
    """Where keys learn which providers take keys (the registry calls this on import)."""
    _directory[:] = [directory]


def holders() -> list[KeyHolder]:
    return _directory[0]() if _directory else []


def _holder(provider: str) -> KeyHolder | None:
    return next((h for h in holders() if h.name == provider), None)


def keyed_names() -> tuple[str, ...]:
    """Providers with one key each, as their classes declare them: ('openai', ...)."""
    return tuple(h.name for h in holders() if not h.per_server)


def _per_server_names() -> tuple[str, ...]:
    return tuple(h.name for h in holders() if h.per_server)


def env_vars(provider: str) -> tuple[str, ...]:
    holder = _holder(provider)
    return holder.env_vars if holder and not holder.per_server else ()


def label(provider: str) -> str:
    holder = _holder(provider)
    return holder.label if holder else provider


def no_keyring_message() -> str:
    names = [" or ".join(env_vars(p)) for p in keyed_names()]
    listed = ", ".join(names[:-1]) + f", or {names[-1]}" if len(names) > 1 else "".join(names)
    servers = "".join(f" Keys for {name}: servers can only be kept in a keyring."
                      for name in _per_server_names())
    return (
        "No system keyring is available here (no Secret Service, macOS Keychain or Windows "
        "Credential Manager was found), so Side by Side can't store keys. Set the key in the "
        f"environment instead: {listed}.{servers}"
    )



class KeyStoreError(Exception):
    """The keyring could not be used; the message says why and what to do instead."""


@dataclass(frozen=True)
class KeyRow:
    provider: str  # "openai", or "compat:http://host/v1"
    present: bool
    source: str  # "keyring", "env OPENAI_API_KEY" or "none"


def parse_provider(text: str) -> tuple[str, str | None]:
    """'openai' -> ('openai', None); 'compat:http://h/v1' -> ('compat', 'http://h/v1')."""
    value = (text or "").strip()
    if value in keyed_names():
        return value, None
    name, sep, rest = value.partition(":")
    if sep and name in _per_server_names():
        base = rest.strip().rstrip("/")
        if base.startswith(("http://", "https://")):
            return name, base
    per_server = " or ".join(f"{n}:BASE_URL" for n in _per_server_names())
    example = (f" (for example {_per_server_names()[0]}:https://api.groq.com/openai/v1)"
               if per_server else "")
    raise ValueError(
        f"'{text}' is not a provider I keep keys for. Use {', '.join(keyed_names())}"
        f"{f' or {per_server}' if per_server else ''}{example}."
    )


def entry_name(provider: str, base_url: str | None = None) -> str:
    """The keyring user name for a provider's key."""
    if provider in _per_server_names():
        if not base_url:
            raise ValueError(f"A {provider}: key needs the server's base URL.")
        return f"{provider}:" + base_url.rstrip("/")
    if provider not in keyed_names():
        raise ValueError(f"Unknown provider '{provider}'.")
    return provider


def _keyring():
    """keyring and its backend classes (keyring_parts.py), imported when a key is first used."""
    # deferred: keyring probes D-Bus and is slow to load; start-up never needs it
    from desktop.core.base import keyring_parts  # noqa: PLC0415

    return keyring_parts


def _backend():
    return _keyring().keyring.get_keyring()


def keyring_problem() -> str | None:
    """None when a usable keyring backend exists, else a message fit to show a user."""
    try:
        backend = _backend()
    except Exception:  # a broken backend configuration reads the same as no backend
        return no_keyring_message()
    if _is_unusable(backend):
        return no_keyring_message()
    return None


def keyring_available() -> bool:
    return keyring_problem() is None


def _is_unusable(backend) -> bool:
    parts = _keyring()
    if isinstance(backend, (parts.fail.Keyring, parts.null.Keyring)):
        return True
    if isinstance(backend, parts.chainer.ChainerBackend):
        return not backend.backends
    return False


def _keyring_get(name: str) -> str | None:
    """The stored key, or None; a keyring that fails to answer counts as holding nothing."""
    if not keyring_available():
        return None
    try:
        return _backend().get_password(SERVICE, name) or None
    except Exception:
        return None


def get_key(provider: str, base_url: str | None = None) -> tuple[str | None, str]:
    """(key, source) for a provider; source is 'keyring', 'env NAME' or 'none'."""
    key = _keyring_get(entry_name(provider, base_url))
    if key:
        return key, SOURCE_KEYRING
    for var in env_vars(provider):  # a per-server key never falls back to the environment
        value = os.environ.get(var, "").strip()
        if value:
            return value, f"env {var}"
    return None, SOURCE_NONE


def require_key(provider: str) -> str:
    """The key for openai/anthropic/gemini, or a `missing_key` error saying how to add one."""
    key, _ = get_key(provider)
    if key:
        return key
    raise ContenderError(MISSING_KEY, missing_key_message(provider))


def missing_key_message(provider: str) -> str:
    env = " or ".join(env_vars(provider))
    return (
        f"No {label(provider)} API key found. Store one with `sidebyside keys set {provider}` "
        f"or set {env} in the environment."
    )


def set_key(provider: str, key: str, base_url: str | None = None) -> None:
    name = entry_name(provider, base_url)
    key = (key or "").strip()
    if not key:
        raise KeyStoreError("The key is empty; nothing was stored.")
    if any(ch in key for ch in "\r\n\0"):
        raise KeyStoreError("The key contains a line break; paste only the key itself.")
    set_secret(name, key)
    if provider in _per_server_names():
        _remember_server(provider, name, True)


def delete_key(provider: str, base_url: str | None = None) -> bool:
    """Remove the stored key; False when the keyring held none."""
    name = entry_name(provider, base_url)
    problem = keyring_problem()
    if problem:
        raise KeyStoreError(problem)
    if provider in _per_server_names():
        _remember_server(provider, name, False)
    return _delete_entry(name)


def list_keys() -> list[KeyRow]:
    """One row per provider and per remembered compat: server; never the key itself."""
    rows = []
    for provider in keyed_names():
        key, source = get_key(provider)
        rows.append(KeyRow(provider, key is not None, source))
    for name in _server_entries():
        key = _keyring_get(name)
        rows.append(KeyRow(name, key is not None, SOURCE_KEYRING if key else SOURCE_NONE))
    return rows


def _failure(action: str, exc: Exception) -> str:
    # The exception text comes from the keyring backend (D-Bus, Keychain); it names no key.
    reason = str(exc).strip() or type(exc).__name__
    return (
        f"The system keyring refused to {action} the key ({reason[:200]}). If it is locked, "
        "unlock it and try again, or set the key in the environment instead."
    )


def _index_path():
    return data_dir() / "keys.json"


def _index() -> dict[str, list[str]]:
    """keys.json: per-server provider -> the entries stored for it ({"compat": [...]})."""
    try:
        data = json.loads(_index_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {provider: [e for e in entries if isinstance(e, str)
                       and e.startswith(f"{provider}:")]
            for provider, entries in data.items() if isinstance(entries, list)}


def _server_entries() -> list[str]:
    index = _index()
    return [entry for provider in _per_server_names() for entry in index.get(provider, [])]


def _remember_server(provider: str, name: str, present: bool) -> None:
    index = _index()
    entries = [e for e in index.get(provider, []) if e != name]
    if present:
        entries.append(name)
    index[provider] = sorted(entries)
    text = json.dumps(dict(sorted(index.items())), indent=2) + "\n"
    write_text_atomic(_index_path(), text, force=True)


# Secrets other than provider keys (a team store's password) use the same keyring service and
# the same failure handling; `name` is the entry's user name, e.g. "team:postgresql://u@h:5432/db".
def get_secret(name: str) -> str | None:
    return _keyring_get(name)


def set_secret(name: str, secret: str) -> None:
    problem = keyring_problem()
    if problem:
        raise KeyStoreError(problem)
    try:
        _backend().set_password(SERVICE, name, secret)
    except Exception as exc:
        raise KeyStoreError(_failure("store", exc)) from None


def delete_secret(name: str) -> bool:
    if keyring_problem():
        return False
    return _delete_entry(name)


def _delete_entry(name: str) -> bool:
    """Remove one keyring entry; False when there was none."""
    try:
        _backend().delete_password(SERVICE, name)
    except _keyring().keyring.errors.PasswordDeleteError:
        return False
    except Exception as exc:
        raise KeyStoreError(_failure("delete", exc)) from None
    return True
