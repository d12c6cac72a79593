"""What a battle may show, and when: the round session's blind rule, in one place for every
face (the window's panes and History, `ask`, `show`, `vote` refusals, the JSON).

The rule: a battle's names (contender, provider, model, kind, price) may be shown when it was
named from the start, or once it has a vote. Nothing else reveals them: not a failed side, not
a stopped one, not an error. Before that, whatever is said about a side names its seat ("Side
B"), never a provider, model or host:

- an error reads as its kind in words every model shares (`seat_error`): "Side B: the service
  rejected the API key…". The stored error keeps the full message, shown after the vote.
- a retry notice reads "Side B: the service is rate limiting requests; trying again in 1.0 s…"
  (`seat_status`).

Kinds themselves stay (a rate limit is a rate limit): without them a person could not act.
"""

from __future__ import annotations

import dataclasses

from desktop.core.base import errors as E
from desktop.core.contenders.answer import Answer, Status
from desktop.core.base.errors import ErrorInfo

# Fields of an answer that would give a blind seat away before the vote.
# The thread count too: only a local side has one.
REVEALING = ("contender", "provider", "model", "kind", "cost_usd", "threads")

HIDDEN_UNTIL_VOTE = "(The battle is blind, so the full message, which names the model, is kept for after the vote.)"
# What each kind of failure says before the vote: true of every model, naming none.
NEUTRAL_ERRORS = {
    E.AUTH: "the service rejected the API key. Check the stored keys (`sidebyside keys list`, "
            "or Settings in the window).",
    E.MISSING_KEY: "no API key is stored for it. Add one (`sidebyside keys set`, or Settings in "
                   "the window).",
    E.QUOTA: "the account is out of credit or over its quota.",
    E.RATE_LIMIT: "the service is rate limiting requests. Wait a minute and try again.",
    E.OVERLOADED: "the service is overloaded. Try again in a few minutes.",
    E.SERVER: "the service had a problem on its side. Try again in a little while.",
    E.BAD_REQUEST: "the request was refused. Check the model name and settings.",
    E.NOT_FOUND: "the model was not found. Check the model name.",
    E.TIMEOUT: "the answer timed out. Try again.",
    E.NETWORK: "the connection failed. Check the network and the server address, then try again.",
    E.PROTOCOL: "the server sent something that could not be read. Try again.",
    E.MODEL_NOT_FOUND: "the model file was not found.",
    E.MODEL_LOAD: "the model could not be loaded.",
    E.CONTEXT_LENGTH: "the conversation is too long for the model's context. Start a new round "
                      "or allow a longer context.",
    E.CRASH: "the model stopped unexpectedly. Try again.",
    E.CANCELLED: "stopped before the answer was finished.",
}
RETRY_WORDS = {
    E.RATE_LIMIT: "is rate limiting requests",
    E.OVERLOADED: "is overloaded",
    E.SERVER: "had a server error",
    E.TIMEOUT: "timed out",
    E.NETWORK: "could not be reached",
}


def names_shown(battle) -> bool:
    """May this battle's names be shown? Named battles always; blind ones after their vote.

    The one place the rule is decided: `show`, History, the window (through the round session)
    and vote refusals ask it. `battle` is a BattleRecord, or anything with its `mode` ("blind"
    or "named") and `vote` (None until one is cast). The report counts voted battles only."""
    return battle.mode != "blind" or battle.vote is not None


def seat_name(seat: str | None) -> str:
    return f"Side {seat.upper()}" if seat else "This side"


def neutral_reason(error: ErrorInfo) -> str:
    """What went wrong, in words true of every model (its kind), naming none."""
    return NEUTRAL_ERRORS.get(error.kind, "something went wrong. Try again.")


def seat_error(error: ErrorInfo, seat: str | None) -> ErrorInfo:
    """The error as a blind battle shows it before the vote: its seat and kind, in words."""
    return ErrorInfo(error.kind, f"{seat_name(seat)}: {neutral_reason(error)} {HIDDEN_UNTIL_VOTE}")


def shown_error(error: ErrorInfo | None, seat: str | None, revealed: bool) -> ErrorInfo | None:
    if error is None or revealed:
        return error
    return seat_error(error, seat)


def blind_answer(answer: Answer, seat: str | None = None) -> Answer:
    """The answer as shown before the vote: no names, no price, no thread count (only a local
    side has one), an error by seat and kind."""
    return dataclasses.replace(answer, contender="", provider="", model="", kind="",
                               cost_usd=None, threads=None,
                               error=shown_error(answer.error, seat, False))


def shown_answer(answer: Answer, seat: str | None, revealed: bool) -> Answer:
    return answer if revealed else blind_answer(answer, seat)


def shown_answer_dict(answer: Answer, seat: str | None, revealed: bool) -> dict:
    """The answer's JSON as shown: whole when revealed, else without REVEALING fields and with
    the error by seat."""
    data = shown_answer(answer, seat, revealed).to_dict()
    return data if revealed else {k: v for k, v in data.items() if k not in REVEALING}


def seat_status(status: Status, seat: str | None, revealed: bool) -> Status:
    """A status line as shown: as it is when revealed; blind, a retry names the seat and the
    kind of trouble only (a notice names no model already; loading says only a percentage)."""
    if revealed or status.state != "retrying":
        return status
    what = RETRY_WORDS.get(status.kind or "", "did not answer")
    wait = f" in {status.retry_in_s:.1f} s" if status.retry_in_s else ""
    return Status("retrying", f"{seat_name(seat)}: the service {what}; trying again{wait}…",
                  retry_in_s=status.retry_in_s, kind=status.kind)
