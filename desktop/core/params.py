"""Generation parameters shared by both sides of a battle."""

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


@dataclass(frozen=True)
class Request:
    """One prompt as sent to a contender."""

    prompt: str
    params: GenerationParams = field(default_factory=GenerationParams)

    def messages(self) -> list[dict[str, str]]:
        out = []
        if self.params.system:
            out.append({"role": "system", "content": self.params.system})
        out.append({"role": "user", "content": self.prompt})
        return out
