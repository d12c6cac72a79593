"""The model library: find, download and remove open models (GGUF files) from the Hugging Face
Hub, and the open models other apps serve (Ollama, LM Studio). Qt-free.

- `catalogue`: the short curated list shipped with the app (catalogue.json);
- `machine`: this machine's memory, to say whether a file fits;
- `quant`: the quantisation named in a GGUF file name, and the memory a file needs;
- `hub`: search, a repository's files, what is downloaded and rm, built on `huggingface_hub` (so
  HF_ENDPOINT, HF_HOME, HF_TOKEN and its cache all apply);
- `download`: pull one file into the Hub cache (progress, cancel, resume, SHA-256 check);
- `server_data`: commit ids, ETags, file names and sizes from a Hub checked before use;
- `servers`: models behind a running Ollama or LM Studio server.

Failures are `LibraryError`s: a stable kind and a message that says what to do.
"""

from __future__ import annotations

GATED = "gated"
NOT_FOUND = "not_found"
NETWORK = "network"
NO_SPACE = "no_space"
CORRUPT = "corrupt"
CANCELLED = "cancelled"
BAD_INPUT = "bad_input"
AUTH = "auth"
BAD_SERVER = "bad_server"  # the Hub or mirror answered with something unusable (server_data)


class LibraryError(Exception):
    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
