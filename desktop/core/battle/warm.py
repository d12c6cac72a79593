"""Open connections ahead: when contenders are chosen, each remote one connects to its server
(and a served model is loaded) in the background, so the first battle pays no handshake. It
builds contenders from specs, so it lives with the specs (battle/), not with the providers."""

from __future__ import annotations

import threading

from desktop.core.base.errors import ContenderError
from desktop.core.base.keys import get_key
from desktop.core.battle.specs import make_contender, parse_spec
from desktop.core.providers.clients import ClientPool
from desktop.core.providers.registry import get


def warm_specs(specs: list[str], clients: ClientPool) -> None:
    """Start warming each spec's server on a daemon thread; returns at once, never raises.
    The connections land in `clients`, the pool the battles' contenders will use."""
    for spec in specs:
        threading.Thread(target=_warm, args=(spec, clients), daemon=True, name="warm-up").start()


def _warm(spec: str, clients: ClientPool) -> None:
    try:
        provider = parse_spec(spec).provider
        info = get(provider)
        if info is not None and info.needs_key and not get_key(provider)[0]:
            return  # it can't answer yet; no reason to reach its server
        contender = make_contender(spec, clients=clients)
    except (ContenderError, ValueError):  # a bad spec, or a local model: nothing to connect to
        return
    warm = getattr(contender, "warm", None)
    if warm is not None:
        try:
            warm()
        except Exception:  # a warm-up is a courtesy; the battle reports real problems
            pass
