"""Does a chosen contender lack the API key it needs? Qt-free; runs off the UI thread
(the first keyring query can take a while: it may probe D-Bus)."""

from __future__ import annotations

from dataclasses import dataclass

from desktop.gui.settings_store import ContenderChoice
from desktop.core.base import keys
from desktop.core.base.errors import ContenderError
from desktop.core.providers import registry
from desktop.core.battle.specs import parse_spec


@dataclass
class KeyCheck:
    choices: list[ContenderChoice]
    missing: tuple[int, str, str, str] | None  # picker number, provider, headline, detail


def missing_keys(choices: list[ContenderChoice]) -> KeyCheck:
    for number, choice in enumerate(choices, start=1):
        try:
            spec = parse_spec(choice.spec)
        except ContenderError:
            continue
        info = registry.get(spec.provider)
        if info is None or not info.needs_key:
            continue  # local models need no key; a compat server may not either
        key, _ = keys.get_key(spec.provider)
        if key:
            continue
        label = info.label
        env = " or ".join(keys.env_vars(spec.provider))
        return KeyCheck(choices, (
            number, spec.provider,
            f"Contender {number} ({label}, {spec.model}) needs an API key.",
            f"Add {_article(label)} {label} key (it is kept in your system keyring), set {env} before starting "
            "Side by Side, or choose another contender.",
        ))
    return KeyCheck(choices, None)


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"
