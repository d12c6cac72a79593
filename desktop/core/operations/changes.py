"""What an operation changed, so a face knows what to show again (Anki's `OpChanges`)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Changes:
    """Kinds of things an operation changed; a view that shows any of them reloads."""

    battles: bool = False  # battles saved, continued, merged in or deleted
    votes: bool = False  # own votes cast, merged in or deleted with their battle
    categories: bool = False  # the list of categories (a new name, or merged-in ones)
    sources: bool = False  # imported vote sources, or which sources there are (team joined)
    judge: bool = False  # model-judge verdicts
    team: bool = False  # team membership, or what the team store holds

    def __or__(self, other: Changes) -> Changes:
        return Changes(**{f: getattr(self, f) or getattr(other, f) for f in FIELDS})

    def __bool__(self) -> bool:
        return any(getattr(self, f) for f in FIELDS)

    def names(self) -> frozenset[str]:
        """The names of the kinds that changed: {"battles", "votes"}."""
        return frozenset(f for f in FIELDS if getattr(self, f))


FIELDS = tuple(f.name for f in fields(Changes))
NOTHING = Changes()


@dataclass(frozen=True)
class Done(Generic[T]):
    """An operation's result: what it made, and what it changed."""

    value: T
    changes: Changes = NOTHING
