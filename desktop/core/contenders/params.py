"""Generation parameters shared by both sides of a battle, and the request one side is sent.

A request is a conversation: the system prompt, then alternating user/assistant turns, ending with
the newest user prompt. Each seat of a battle gets its own request, whose assistant turns are
*its own* earlier answers; every provider builds its wire format from `messages()`.
"""

from __future__ import annotations

import math
import os
from dataclasses import asdict, dataclass, field

# How hard a reasoning model thinks (`--reasoning`); None sends nothing (the provider's default).
REASONING_LEVELS = ("off", "low", "medium", "high")

# The ranges every surface (the CLI's flags, the window's fields) checks before anything is
# sent; docs/reliability.md lists them. Providers share the sampling ranges (OpenAI's
# temperature goes to 2, top p to 1); token counts above a million fit no model there is.
TEMPERATURE_RANGE = (0.0, 2.0)
TOP_P_RANGE = (0.0, 1.0)
MAX_TOKENS_LIMIT = 1_048_576
CONTEXT_LIMIT = 1_048_576
SEED_RANGE = (-(2**63), 2**64 - 1)  # any 64-bit seed, signed or not


class ParamsError(ValueError):
    """A setting out of its range, or text that is not text; `message` names the limit."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def check_params(params: "GenerationParams", *, local: bool = False,
                 cores: int | None = None) -> None:
    """Raise ParamsError for the first setting out of range. `local`: a local model answers,
    so its own settings (context, threads) count and the answer must fit its context."""
    for name, value, (low, high) in (("Temperature", params.temperature, TEMPERATURE_RANGE),
                                      ("Top p", params.top_p, TOP_P_RANGE)):
        if not isinstance(value, (int, float)) or not math.isfinite(value) \
                or not low <= value <= high:
            raise ParamsError(f"{name} must be a number from {low:g} to {high:g}, not {value}.")
    if not 1 <= params.max_tokens <= MAX_TOKENS_LIMIT:
        raise ParamsError(f"Max tokens must be from 1 to {MAX_TOKENS_LIMIT:,}, "
                          f"not {params.max_tokens:,}.")
    if params.seed is not None and not SEED_RANGE[0] <= params.seed <= SEED_RANGE[1]:
        raise ParamsError(f"The seed must fit in 64 bits ({SEED_RANGE[0]:,} to "
                          f"{SEED_RANGE[1]:,}), not {params.seed:,}.")
    if not local:
        return
    if not 1 <= params.n_ctx <= CONTEXT_LIMIT:
        raise ParamsError(f"The local model's context must be from 1 to {CONTEXT_LIMIT:,} "
                          f"tokens, not {params.n_ctx:,}.")
    if params.max_tokens > params.n_ctx:
        raise ParamsError(f"Max tokens ({params.max_tokens:,}) is more than the local model's "
                          f"context ({params.n_ctx:,} tokens); lower it or allow a longer "
                          "context.")
    cores = cores or os.cpu_count() or 1
    if params.n_threads is not None and not 1 <= params.n_threads <= cores:
        raise ParamsError(f"Threads must be from 1 to {cores}, the logical cores of this "
                          f"computer, not {params.n_threads}.")
    if params.n_gpu_layers < -1:
        raise ParamsError(f"GPU layers must be -1 (all) or more, not {params.n_gpu_layers}.")


def settle_text(text: str, what: str = "The prompt") -> str:
    """`text` if it is all Unicode text; else ParamsError saying where. Bytes that are not
    UTF-8 reach Python as lone surrogates (a command line argument, a stream read with
    surrogateescape); no provider can be sent them and the database cannot store them, so
    they are refused before anything is sent (and paid for)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        bad = text[exc.start]
        raw = f"byte 0x{ord(bad) - 0xDC00:02x}" if 0xDC80 <= ord(bad) <= 0xDCFF else \
            f"U+{ord(bad):04X}"
        raise ParamsError(
            f"{what} is not valid UTF-8 text ({raw} at character {exc.start + 1}). Save it as "
            "UTF-8 and try again; nothing was sent.") from None
    return text


@dataclass(frozen=True)
class GenerationParams:
    system: str = ""
    temperature: float = 0.7
    top_p: float = 0.95
    max_tokens: int = 512
    seed: int | None = None
    # Local-model settings; providers ignore them.
    n_ctx: int = 4096
    n_threads: int | None = None  # None: the measured default (see local/threads.py)
    n_gpu_layers: int = 0
    # Thinking effort, one of REASONING_LEVELS; each provider maps it (desktop/core/contenders/reasoning.py).
    reasoning: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "GenerationParams":
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})


USER, ASSISTANT, SYSTEM = "user", "assistant", "system"


@dataclass(frozen=True)
class Message:
    role: str  # "user" or "assistant" (the system prompt lives in the params)
    content: str


@dataclass(frozen=True)
class Request:
    """The newest prompt, and the turns before it, as sent to one contender."""

    prompt: str
    params: GenerationParams = field(default_factory=GenerationParams)
    history: tuple[Message, ...] = ()  # earlier turns, oldest first: user, assistant, user, ...

    def messages(self) -> list[dict[str, str]]:
        """System prompt (if any), then the turns, ending with the newest user prompt."""
        out = [{"role": SYSTEM, "content": self.params.system}] if self.params.system else []
        return out + self.turns()

    def turns(self) -> list[dict[str, str]]:
        """The user/assistant turns without the system prompt (Anthropic and Gemini carry the
        system prompt in a field of its own)."""
        out = [{"role": m.role, "content": m.content} for m in self.history]
        out.append({"role": USER, "content": self.prompt})
        return out
