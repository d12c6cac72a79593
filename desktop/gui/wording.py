"""Every sentence the window shows about a battle, in one place and Qt-free.

Words shown before the vote are the same for every model: nothing here may name a provider,
model or spec unless it is for a revealed battle or an error (a failed battle takes no vote).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop.core.contenders.answer import FINISH_CANCELLED, FINISH_LENGTH
from desktop.core.contenders.metrics import metrics_line
from desktop.core.providers.registry import label

if TYPE_CHECKING:  # the engine's types load after the first paint (see round_controller)
    from desktop.core.contenders.answer import Answer

WAITING = "Starting…"
STREAMING = "Writing…"
FINISH_WORDS = {
    "done": "Done",
    "cut": "Done · reached the token limit",
    "stopped": "Stopped",
    "error": "Failed",
}
NEUTRAL_LEAK = (
    "An answer names a model or its maker, so this round may not be fully blind. "
    "You can still vote; the names are shown after."
)


def loading(percent: int) -> str:
    return f"Loading the model… {percent} %"


def retrying(seconds: int) -> str:
    if seconds <= 0:
        return "Trying again…"
    return f"Busy; trying again in {seconds} s"


def finished(answer: Answer) -> tuple[str, str]:
    """(state, message): state is a key of FINISH_WORDS; message explains a failure."""
    if answer.finish_reason == FINISH_CANCELLED:
        return "stopped", ""
    if answer.error is not None:
        return "error", answer.error.message
    if answer.finish_reason == FINISH_LENGTH:
        return "cut", ""
    return "done", ""


def provider_label(provider: str) -> str:
    """The provider's name as its registry declaration gives it."""
    return label(provider)


def spec_label(spec: str) -> str:
    """A contender named from its spec alone (named mode shows this before any answer)."""
    provider, _, rest = spec.partition(":")
    if spec == "local":
        return "SmolLM2-135M-Instruct · Local"
    if provider == "local":
        return f"{rest.rsplit('/', 1)[-1].removesuffix('.gguf')} · Local"
    model = rest.split("@", 1)[0]
    return f"{model} · {provider_label(provider)}"


def display_name(answer: Answer) -> str:
    """The name shown at the reveal: the model as reported, with its provider."""
    return f"{answer.model or answer.contender} · {provider_label(answer.provider)}"


def reveal_html(answer: Answer, won: bool | None, muted: str = "#6b7280") -> str:
    """The pane's footer after the vote: the metrics, and whether this was the pick."""
    badge = "<b>Your pick</b> · " if won else ""
    return f"{badge}<span style='color:{muted}'>{escape_html(metrics_line(answer))}</span>"


def escape_html(text: str) -> str:
    """`text` made safe to put in a rich-text label or document."""
    # deferred: the html module is first needed after the first paint (a reveal, a second turn)
    from html import escape  # noqa: PLC0415

    return escape(text)
