"""Battle categories: a starter set everyone has, plus the user's own, kept in the database.

Names are matched without regard to case, so "Coding" and "coding" are one category; a user's
category keeps the spelling it was first given. A battle stores its category by name.
"""

from __future__ import annotations

import re

from desktop.core.store.db import Store, utc_now

STARTER = (
    "coding",
    "summarization",
    "instruction following",
    "reasoning",
    "factual",
    # The starter prompt sets' kinds of task that the names above do not cover.
    "everyday reasoning",
    "multi-step reasoning",
    "open-ended problems",
    "creative",
    "other",
)
DEFAULT = "other"
MAX_LENGTH = 60


class CategoryError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def clean_name(name: str) -> str:
    """Trim and collapse whitespace; refuse empty, over-long or control-character names."""
    cleaned = re.sub(r"\s+", " ", (name or "").strip())
    if not cleaned:
        raise CategoryError("A category needs a name.")
    if len(cleaned) > MAX_LENGTH:
        raise CategoryError(f"A category name can be at most {MAX_LENGTH} characters.")
    if any(ord(c) < 32 or ord(c) == 127 for c in cleaned):
        raise CategoryError("A category name cannot contain control characters.")
    return cleaned


def user_categories(store: Store) -> list[str]:
    with store.read() as db:
        return [r[0] for r in db.execute("SELECT name FROM categories ORDER BY created_at, name")]


def all_categories(store: Store) -> list[str]:
    """The starter set, then the user's own, then any other name found on stored battles
    (for example from a merged database)."""
    names = list(STARTER)
    seen = {n.lower() for n in names}
    with store.read() as db:
        own = [r[0] for r in db.execute("SELECT name FROM categories ORDER BY created_at, name")]
        used = [r[0] for r in db.execute("SELECT DISTINCT category FROM battles ORDER BY category")]
    for name in own + used:
        if name.lower() not in seen:
            seen.add(name.lower())
            names.append(name)
    return names


def resolve_category(store: Store, name: str | None) -> str:
    """The canonical name for `name`, adding it as the user's own if it is new."""
    if name is None or not name.strip():
        return DEFAULT
    cleaned = clean_name(name)
    for starter in STARTER:
        if starter.lower() == cleaned.lower():
            return starter
    with store.transaction("save the category") as db:
        row = db.execute("SELECT name FROM categories WHERE name = ?", (cleaned,)).fetchone()
        if row:
            return row[0]
        db.execute("INSERT INTO categories (name, created_at) VALUES (?, ?)", (cleaned, utc_now()))
    return cleaned


def category_for(store: Store, name: str | None, fallback: str = DEFAULT, *,
                 lenient: bool = False) -> str:
    """The category a battle is filed under, the one rule both faces use: a blank name files it
    under `fallback`; any other is made canonical (a new name is added as the user's own). A bad
    name raises CategoryError, or with `lenient` files it under `fallback` (a prompt set's line
    whose category cannot be a name must not stop the set)."""
    if name is None or not name.strip():
        return fallback
    try:
        return resolve_category(store, name)
    except CategoryError:
        if lenient:
            return fallback
        raise


def remove_category(store: Store, name: str) -> bool:
    """Forget a user category (battles keep their label). Starter categories cannot be removed."""
    if name.strip().lower() in STARTER:
        raise CategoryError(f"'{name}' is a starter category and cannot be removed.")
    with store.transaction("remove the category") as db:
        return db.execute("DELETE FROM categories WHERE name = ?", (name.strip(),)).rowcount > 0
