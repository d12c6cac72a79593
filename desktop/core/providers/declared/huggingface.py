"""The Hugging Face Hub: not a contender, a source of open models (desktop.core.library). Its
token is a key like any other, for gated repositories: `sidebyside keys set huggingface`."""

from __future__ import annotations

from desktop.core.contenders.base import KEY_REQUIRED, SHAPE_NONE, Provider


class HuggingFaceHub(Provider):
    provider = "huggingface"
    label = "Hugging Face"
    key, key_env_vars = KEY_REQUIRED, ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN")
    auth = "Authorization: Bearer TOKEN"
    key_hint = "huggingface.co/settings/tokens (needed only for gated models)"
    framing = "the Hub's API, through huggingface_hub"
    shape = SHAPE_NONE
    order = 90
