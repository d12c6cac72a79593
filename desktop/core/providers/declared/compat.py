"""OpenAI-compatible servers, and the model servers on this machine built on them, as the registry
lists them (their contenders: desktop/core/providers/compat.py)."""

from __future__ import annotations

from desktop.core.contenders.base import KEY_NONE, KEY_PER_SERVER, SHAPE_MODEL, SHAPE_MODEL_AT_URL
from desktop.core.providers.declared.openai import OpenAI


class Compat(OpenAI):
    # Everything OpenAI declares is set again here, since a subclass inherits what it leaves.
    provider = "compat"
    label = "OpenAI-compatible server"
    spec_form, spec_example = "compat:MODEL@BASE_URL", "compat:llama3@http://localhost:8080/v1"
    kind_varies = True  # open on this machine or the local network, else proprietary
    key, key_env_vars, key_hint = KEY_PER_SERVER, (), ""
    auth = "Authorization: Bearer KEY (optional, stored per server)"
    base_url_env, default_base_url, default_models = None, "", ()
    shape = SHAPE_MODEL_AT_URL
    order = 80
    builds = "desktop.core.providers.compat:CompatContender"


class ModelServer(Compat):
    """What every model server on this machine (Ollama, LM Studio) declares alike: open models,
    `PROVIDER:MODEL`, the server's address from its own setting, no key, no price. Declares no
    provider of its own."""

    default_kind = "open"
    kind_varies = False
    key, auth = KEY_NONE, ""
    shape = SHAPE_MODEL
    priced = False  # the user's own hardware
