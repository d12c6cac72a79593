"""What a contender produced, and the events a battle delivers while it runs."""

from __future__ import annotations

from dataclasses import dataclass, field

from desktop.core.base.errors import ErrorInfo
from desktop.core.base.redact import redact

FINISH_STOP = "stop"
FINISH_LENGTH = "length"
FINISH_CANCELLED = "cancelled"
FINISH_ERROR = "error"


@dataclass
class Answer:
    contender: str  # the spec string, e.g. "local" or "openai:gpt-4o-mini"
    provider: str  # "local", "openai", "anthropic", "gemini", "compat"
    kind: str  # "open" or "proprietary"
    model: str = ""  # the model name as reported (by the server or the GGUF)
    text: str = ""
    finish_reason: str | None = None
    ttft_s: float | None = None
    total_s: float | None = None
    prompt_tokens: int | None = None
    output_tokens: int | None = None
    tokens_per_s: float | None = None
    cost_usd: float | None = None
    error: ErrorInfo | None = None
    # The thinking part, apart from the answer (`text`): None when the model showed none.
    thinking: str | None = None
    thinking_tokens: int | None = None  # not counted in output_tokens; None when unknown
    ttft_thinking_s: float | None = None  # time to the first piece of thinking
    # llama.cpp threads the local answer ran with (None for a remote side): a slow answer says why.
    threads: int | None = None
    # Whether the contender's provider charges per token (its class's `priced`): False for the
    # user's own hardware, whose answers cost 0. Not saved: the cost it gives is.
    priced: bool = True

    @property
    def ok(self) -> bool:
        return self.error is None and self.finish_reason in (FINISH_STOP, FINISH_LENGTH)

    def to_dict(self) -> dict:
        return {
            "contender": self.contender,
            "provider": self.provider,
            "kind": self.kind,
            "model": self.model,
            "text": self.text,
            "finish_reason": self.finish_reason,
            "ttft_s": _round(self.ttft_s),
            "total_s": _round(self.total_s),
            "prompt_tokens": self.prompt_tokens,
            "output_tokens": self.output_tokens,
            "tokens_per_s": _round(self.tokens_per_s, 2),
            "cost_usd": self.cost_usd,
            "error": self.error.to_dict() if self.error else None,
            "thinking": self.thinking,
            "thinking_tokens": self.thinking_tokens,
            "ttft_thinking_s": _round(self.ttft_thinking_s),
            "threads": self.threads,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Answer":
        err = data.get("error")
        fields = {k: data.get(k) for k in cls.__dataclass_fields__ if k != "error"}
        fields = {k: v for k, v in fields.items() if v is not None or k in ("finish_reason",)}
        return cls(**fields, error=ErrorInfo(err["kind"], err["message"]) if err else None)


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


# Event types a battle delivers, in order, per side.
EV_START = "start"  # the side began (model loading or request sent)
EV_STATUS = "status"  # loading progress, waiting to retry, ...
EV_DELTA = "delta"  # a piece of answer text
EV_THINKING = "thinking"  # a piece of thinking text (never part of the answer)
EV_DONE = "done"  # finished; `answer` holds the final Answer (with error if it failed)


@dataclass(frozen=True)
class Status:
    """A state change worth showing: `state` is one of loading, retrying, streaming, or notice
    (a setting left out because the model cannot take it: `message` says which, naming no
    model, so a blind pane may show it), or announce (something to tell the user once, in the
    status bar rather than a pane, since it concerns one side: the local model switched to safe
    mode)."""

    state: str
    message: str = ""
    progress: float | None = None  # 0..1 while loading
    retry_in_s: float | None = None  # seconds until the next try while retrying
    kind: str | None = None  # while retrying: the error kind (desktop.core.base.errors) it retries

    def __post_init__(self) -> None:
        object.__setattr__(self, "message", redact(self.message))


@dataclass(frozen=True)
class BattleEvent:
    slot: str  # "left" or "right"
    type: str
    text: str = ""
    status: Status | None = None
    answer: Answer | None = field(default=None, compare=False)
