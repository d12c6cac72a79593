"""Imports what a round and the results will need, on a worker thread after the first paint.

Python holds its global lock while it compiles or executes a module body, so a first import on
any thread stalls the UI thread for as long. Doing it here, right after the window is shown and
before the first prompt is sent, keeps those stalls away from streaming (where the window must
never pause for more than a frame) while keeping them out of start-up too.
"""

from __future__ import annotations

import importlib

from desktop.core.providers.registry import modules as provider_modules

MODULES = (
    "desktop.core.battle.engine",
    "desktop.core.battle.round_session",
    "desktop.core.store",
    "desktop.core.battle.categories",
    "desktop.core.contenders.identity",
    "desktop.core.base.keys",
    "desktop.core.contenders.prices",
    "desktop.core.stats.results",
    "desktop.core.results.export",
    "desktop.gui.markdown_doc",
    "desktop.gui.battle_runner",
    "html",
)


def warm_up(modules: tuple[str, ...] | None = None) -> list[str]:
    """Import each module, and every provider's contender module the registry names; return
    those that could not be imported (none, normally)."""
    if modules is None:
        modules = MODULES + tuple(provider_modules()) + ("httpx",)
    missing = []
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    return missing
