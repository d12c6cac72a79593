"""What each provider is, declared on a light class per provider: the registry reads these.

A provider's declaration (its name, label, spec form, key and where a key may come from, server
address, default models, wire format, kind, price, order) is a class here that sets `provider`
in its own body and names the contender it `builds`; the contender class, in the provider's own
module one level up (`providers/openai.py` ...), takes the declaration as its first base and
adds the behaviour. The local engine does the same (local/provider.py, local/contender.py).
Declarations import no HTTP machinery, so the window lists providers before its first paint
without loading `RemoteContender` and the event-stream parser (bench figure 4).
"""
