"""Generation parameters shared by both sides of a battle, and the request one side is sent.

A request is a conversation: the system prompt, then alternating user/assistant turns, ending with
the newest user prompt. Each seat of a battle gets its own request, whose assistant turns are
*its own* earlier answers; every provider builds its wire format from `messages()`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

# How hard a reasoning model thinks (`--reasoning`); None sends nothing (the provider's default).
REASONING_LEVELS = ("off", "low", "medium", "high")


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
    # Thinking effort, one of REASONING_LEVELS; each provider maps it (desktop/core/reasoning.py).
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

    def follow_up(self, answer: str, prompt: str) -> "Request":
        """The next turn's request: this one's turns, this side's own `answer`, then `prompt`."""
        history = (*self.history, Message(USER, self.prompt), Message(ASSISTANT, answer))
        return Request(prompt=prompt, params=self.params, history=history)
