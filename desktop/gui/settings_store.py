"""The window's settings: contenders, generation parameters, window geometry, prompt-set place.

Qt-free and kept in one JSON file at `desktop.core.base.paths.settings_path()`. Loading never fails:
a missing, unreadable or partly invalid file falls back to defaults field by field, so a bad
edit by hand costs a setting, not the app. Saving is atomic (write a temporary file, then
rename), so a crash mid-save leaves the previous file intact.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

from desktop.core.base.paths import settings_path
from desktop.core.base.safe_write import write_text_atomic
from desktop.core.contenders.params import REASONING_LEVELS, GenerationParams

VERSION = 1
# First run: the embedded model on one side, a proprietary model on the other.
DEFAULT_CONTENDERS = ("local", "openai:gpt-4o-mini")


@dataclass
class ContenderChoice:
    spec: str
    kind: str | None = None  # None: the provider's default ("open" for local, ...)


@dataclass
class WindowSettings:
    contenders: list[ContenderChoice] = field(
        default_factory=lambda: [ContenderChoice(s) for s in DEFAULT_CONTENDERS]
    )
    params: GenerationParams = field(default_factory=GenerationParams)
    blind: bool = True
    reveal: str = "paced"  # how a blind battle's text shows: paced, together or live
    category: str = ""
    show_system: bool = False
    sync_scroll: bool = True
    geometry: str = ""  # base64 of QWidget.saveGeometry(), written by the window
    promptset_path: str = ""
    promptset_index: int = 0
    extra_ggufs: list[str] = field(default_factory=list)  # files chosen by dialog
    verdict_margin: int = 10  # points around 50 % that count as "as good" (the Verdict tab)


def load(path: Path | None = None) -> WindowSettings:
    path = path or _default_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return WindowSettings()
    return from_dict(data) if isinstance(data, dict) else WindowSettings()


def save(settings: WindowSettings, path: Path | None = None) -> None:
    path = path or _default_path()
    data = {"version": VERSION, **to_dict(settings)}
    # The shared safe writer: an unpredictable temporary, never written through a link.
    write_text_atomic(path, json.dumps(data, indent=2, ensure_ascii=False), force=True)


def to_dict(settings: WindowSettings) -> dict:
    data = asdict(settings)
    data["params"] = settings.params.to_dict()
    return data


def from_dict(data: dict) -> WindowSettings:
    defaults = WindowSettings()
    out = WindowSettings()
    for f in fields(WindowSettings):
        if f.name not in data:
            continue
        value = data[f.name]
        try:
            if f.name == "contenders":
                value = _contenders(value)
            elif f.name == "params":
                value = _check_params(GenerationParams.from_dict(value))
            elif f.name == "extra_ggufs":
                value = [str(v) for v in value if isinstance(v, str)]
            elif not isinstance(value, type(getattr(defaults, f.name))):
                continue
        except (TypeError, ValueError, AttributeError):
            continue
        setattr(out, f.name, value)
    return out


def _contenders(value) -> list[ContenderChoice]:
    choices = []
    for item in value:
        spec = item.get("spec") if isinstance(item, dict) else None
        kind = item.get("kind") if isinstance(item, dict) else None
        if isinstance(spec, str) and spec.strip():
            choices.append(ContenderChoice(spec.strip(), kind if kind in ("open", "proprietary") else None))
    if len(choices) != 2:
        raise ValueError("two contenders expected")
    return choices


def _check_params(params: GenerationParams) -> GenerationParams:
    if not isinstance(params.system, str) or not isinstance(params.max_tokens, int):
        raise TypeError("bad params")
    if params.max_tokens < 1 or not 0 <= float(params.temperature) <= 2:
        raise ValueError("bad params")
    if params.reasoning is not None and params.reasoning not in REASONING_LEVELS:
        return replace(params, reasoning=None)  # an unknown level: the provider's default
    return params


def _default_path() -> Path:
    return settings_path()
