"""The local engine as a provider: GGUF models run by llama.cpp in a worker process.

Its declaration lives here rather than in contender.py so that reading the registry does not
load the worker machinery."""

from desktop.core.providers.registry import SHAPE_PATH, ProviderInfo

PROVIDER = ProviderInfo(
    name="local", label="Local", contender="desktop.core.local.contender:LocalContender",
    spec_form="local:/path/to/model.gguf", spec_example="local:/path/to/model.gguf", kind="open",
    framing="llama.cpp in a worker process", shape=SHAPE_PATH, priced=False,
    order=0,
)
