"""The Hugging Face Hub: not a contender, a source of open models (desktop.core.library). Its
token is a key like any other, for gated repositories: `sidebyside keys set huggingface`."""

from desktop.core.providers.registry import KEY_REQUIRED, SHAPE_NONE, ProviderInfo

PROVIDER = ProviderInfo(
    name="huggingface", label="Hugging Face", key=KEY_REQUIRED,
    key_env_vars=("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"), auth="Authorization: Bearer TOKEN",
    key_hint="huggingface.co/settings/tokens (needed only for gated models)",
    framing="the Hub's API, through huggingface_hub", shape=SHAPE_NONE, order=90,
)
