"""Errors as values: a stable `kind` and a plain message, shared by every contender.

A contender raises `ContenderError` from its stream; the engine turns it into the answer's
`error` field, keeping whatever text had already arrived. Messages are written for users:
what happened and what to do, never a traceback, never a secret.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop.core.base.redact import redact

# Local engine
MODEL_NOT_FOUND = "model_not_found"
MODEL_LOAD = "model_load"
CONTEXT_LENGTH = "context_length"
CRASH = "crash"
# Providers
AUTH = "auth"
QUOTA = "quota"
RATE_LIMIT = "rate_limit"
OVERLOADED = "overloaded"
SERVER = "server"
BAD_REQUEST = "bad_request"
NOT_FOUND = "not_found"
TIMEOUT = "timeout"
NETWORK = "network"
PROTOCOL = "protocol"
MISSING_KEY = "missing_key"
# Everyone
CANCELLED = "cancelled"
BAD_SPEC = "bad_spec"
INTERNAL = "internal"

ALL_KINDS = frozenset(
    {
        MODEL_NOT_FOUND, MODEL_LOAD, CONTEXT_LENGTH, CRASH, AUTH, QUOTA, RATE_LIMIT,
        OVERLOADED, SERVER, BAD_REQUEST, NOT_FOUND, TIMEOUT, NETWORK, PROTOCOL,
        MISSING_KEY, CANCELLED, BAD_SPEC, INTERNAL,
    }
)


@dataclass(frozen=True)
class ErrorInfo:
    kind: str
    message: str

    def __post_init__(self) -> None:
        # Stored and shown alike: a credential inside a URL never survives into either.
        object.__setattr__(self, "message", redact(self.message))

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "message": self.message}


class ContenderError(Exception):
    """A failure with a stable kind and a message fit to show a user."""

    def __init__(self, kind: str, message: str) -> None:
        assert kind in ALL_KINDS, kind
        message = redact(message)  # a URL's user:password or ?key= never reaches a user
        super().__init__(message)
        self.kind = kind
        self.message = message

    def info(self) -> ErrorInfo:
        return ErrorInfo(self.kind, self.message)
