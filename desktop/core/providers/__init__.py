"""Remote contenders: OpenAI, Anthropic, Gemini and any OpenAI-compatible server.

One module per provider, each only its wire protocol; `http.py` holds what they share (requests,
retries, timeouts, Stop, error kinds) and `sse.py` the event-stream parser. No provider SDKs:
httpx speaks HTTP, and the formats follow the providers' own documentation. Each provider
declares itself on its class (registry.py reads them); a contender's connections come from the
`ClientPool` (clients.py) its caller owns. May import desktop.core.base and desktop.core.contenders
only: nothing of the battle, the store, the library, the window or the command line.
"""

# The registry hands desktop.core.base.keys its directory of providers when it loads.
from desktop.core.providers import registry  # noqa: F401, E402
