"""The local engine as a provider: GGUF models run by llama.cpp in a worker process.

Its declaration lives here, on a light class that `LocalContender` (contender.py) builds on, so
that reading the registry does not load the worker machinery."""

from __future__ import annotations

from desktop.core.contenders.base import SHAPE_PATH, Contender


class LocalProvider(Contender):
    provider = "local"
    label = "Local"
    spec_form = spec_example = "local:/path/to/model.gguf"
    default_kind = "open"
    framing = "llama.cpp in a worker process"
    shape = SHAPE_PATH
    priced = False  # the user's own hardware
    computes_here = True  # llama.cpp's threads want every core while it answers
    order = 0
    builds = "desktop.core.local.contender:LocalContender"
