"""What an answer cost, from an editable table of USD per million input and output tokens.

The shipped table is `desktop/data/prices.json`; a `prices.json` of the same shape in the data
directory adds to or overrides it, model by model. A model matches its exact name, else the
longest listed name it starts with followed by `-`, `:` or `@` (so a dated snapshot such as
`gpt-4o-mini-2024-07-18` uses `gpt-4o-mini`, but `gpt-4o` never borrows `gpt-4`'s price).
An answer whose provider is not priced (the user's own hardware: `Provider.priced`) costs 0; an
unknown model or missing token counts give None, never a guess.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from desktop.core.base.paths import data_dir
from desktop.core.contenders.answer import Answer

log = logging.getLogger(__name__)

SEPARATORS = ("-", ":", "@")
Table = dict[str, dict[str, tuple[float, float]]]  # provider -> model -> (input, output)

_cache: dict[str, tuple[object, Table]] = {}


def _parse(data: object) -> Table:
    table: Table = {}
    if not isinstance(data, dict):
        return table
    for provider, models in data.items():
        if not isinstance(models, dict):
            continue  # "about", "updated" and other notes
        for model, price in models.items():
            try:
                pair = (float(price["input"]), float(price["output"]))
            except (TypeError, KeyError, ValueError):
                log.warning("Ignoring the price for %s:%s: it needs numeric input and output.",
                            provider, model)
                continue
            if pair[0] >= 0 and pair[1] >= 0:
                table.setdefault(provider, {})[model] = pair
    return table


def _shipped() -> Table:
    if "shipped" not in _cache:
        text = resources.files("desktop").joinpath("data/prices.json").read_text(encoding="utf-8")
        _cache["shipped"] = (None, _parse(json.loads(text)))
    return _cache["shipped"][1]


def _user(path: Path) -> Table:
    try:
        stat = path.stat()
    except OSError:
        return {}
    stamp = (str(path), stat.st_mtime_ns, stat.st_size)
    cached = _cache.get("user")
    if cached and cached[0] == stamp:
        return cached[1]
    try:
        table = _parse(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        log.warning("Ignoring %s: it is not valid JSON.", path)
        table = {}
    _cache["user"] = (stamp, table)
    return table


def price_table() -> Table:
    """The shipped table with the user's overrides applied."""
    merged: Table = {p: dict(m) for p, m in _shipped().items()}
    for provider, models in _user(data_dir() / "prices.json").items():
        merged.setdefault(provider, {}).update(models)
    return merged


def find_price(provider: str, model: str) -> tuple[float, float] | None:
    """(input, output) USD per million tokens, or None when the model is not listed."""
    models = price_table().get(provider, {})
    name = model.strip().removeprefix("models/")
    if name in models:
        return models[name]
    best = ""
    for listed in models:
        if len(listed) > len(best) and name.startswith(listed) and name[len(listed)] in SEPARATORS:
            best = listed
    return models[best] if best else None


def listed_as_proprietary(model: str, proprietary: Iterable[str]) -> bool:
    """Whether the table prices `model` (ignoring case) under one of the `proprietary`
    providers, those whose models are all proprietary (OpenAI, Anthropic, Gemini; not compat:,
    whose servers may run open models; the caller reads them from the provider registry).
    The verdict uses it for imported votes, which name a model but not its kind."""
    name = model.strip().lower()
    table = price_table()
    return any(provider in table and find_price(provider, name) is not None
               for provider in proprietary)


def cost_usd(answer: Answer) -> float | None:
    if not answer.priced:
        return 0.0  # runs on the user's own hardware
    if answer.prompt_tokens is None or answer.output_tokens is None:
        return None
    names = [answer.model]
    _, _, spec_model = answer.contender.partition(":")
    if answer.provider == "compat":
        spec_model = spec_model.partition("@")[0]
    names.append(spec_model)
    for name in names:
        if not name:
            continue
        price = find_price(answer.provider, name)
        if price is not None:
            # Thinking tokens are billed as output tokens by every provider.
            billed_output = answer.output_tokens + (answer.thinking_tokens or 0)
            cost = (answer.prompt_tokens * price[0] + billed_output * price[1]) / 1_000_000
            return round(cost, 8)
    return None
